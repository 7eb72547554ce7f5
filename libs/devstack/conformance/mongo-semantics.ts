// MongoDB's query rules for the values we store (strings, numbers, dates, ObjectIds, booleans,
// null and missing, in sub-documents too), evaluated in memory: the conformance suite's oracle.
// Written from MongoDB's documentation ("Comparison/Sort Order", query operators, $regex: PCRE,
// strings only); arrays are not modelled, so the suite does not generate them.
import { Buffer } from 'node:buffer';
import { type Document, ObjectId } from 'mongodb';

export type Filter = Record<string, unknown>;

/** MongoDB's rank of a value's type in comparisons and sorts (missing sorts as null). */
function rank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (v instanceof ObjectId) return 7;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  if (typeof v === 'object') return 4;
  throw new Error(`no rank for ${String(v)}`);
}

/** Negative, zero or positive, as MongoDB orders a before b. Strings compare by UTF-8 bytes. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 1:
      return 0;
    case 2:
      return (a as number) - (b as number);
    case 3:
      return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
    case 7:
      return (a as ObjectId).toHexString().localeCompare((b as ObjectId).toHexString());
    case 8:
      return Number(a) - Number(b);
    case 9:
      return (a as Date).getTime() - (b as Date).getTime();
    default:
      throw new Error('sub-documents are not compared here');
  }
}

/** The value at a dotted path: missing (undefined) when a step is not a sub-document. */
export function valueAt(doc: Document, path: string): unknown {
  let v: unknown = doc;
  for (const step of path.split('.')) {
    if (v === null || typeof v !== 'object' || v instanceof Date || v instanceof ObjectId) return undefined;
    v = (v as Document)[step];
  }
  return v;
}

const isOperatorDocument = (v: unknown): v is Record<string, unknown> =>
  v !== null &&
  typeof v === 'object' &&
  !(v instanceof Date) &&
  !(v instanceof RegExp) &&
  !(v instanceof ObjectId) &&
  Object.keys(v).length > 0 &&
  Object.keys(v).every((k) => k.startsWith('$'));

/** Equality: same type bracket and value; null also matches a missing field. */
function equals(stored: unknown, wanted: unknown): boolean {
  if (rank(stored) === 4 || rank(wanted) === 4) return false;
  return rank(stored) === rank(wanted) && compareValues(stored, wanted) === 0;
}

/** $gt/$gte/$lt/$lte: only within the wanted value's type bracket. */
function ordered(stored: unknown, op: string, wanted: unknown): boolean {
  if (rank(stored) !== rank(wanted) || rank(stored) === 4) return false;
  const c = compareValues(stored, wanted);
  switch (op) {
    case '$gt':
      return c > 0;
    case '$gte':
      return c >= 0;
    case '$lt':
      return c < 0;
    case '$lte':
      return c <= 0;
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

/** A regular expression matches strings only; case-insensitive by Unicode simple folding. */
function regexMatches(stored: unknown, pattern: string, options: string): boolean {
  return typeof stored === 'string' && new RegExp(pattern, `${options}u`).test(stored);
}

function fieldMatches(stored: unknown, condition: unknown): boolean {
  if (condition instanceof RegExp) return regexMatches(stored, condition.source, condition.flags);
  if (!isOperatorDocument(condition)) return equals(stored, condition);
  if ('$regex' in condition) {
    return regexMatches(stored, condition.$regex as string, (condition.$options as string) ?? '');
  }
  return Object.entries(condition).every(([op, wanted]) => {
    switch (op) {
      case '$eq':
        return equals(stored, wanted);
      case '$ne':
        return !equals(stored, wanted);
      case '$in':
        return (wanted as unknown[]).some((w) => equals(stored, w));
      case '$nin':
        return !(wanted as unknown[]).some((w) => equals(stored, w));
      default:
        return ordered(stored, op, wanted);
    }
  });
}

/** Whether doc matches filter. */
export function matches(doc: Document, filter: Filter): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and') return (condition as Filter[]).every((f) => matches(doc, f));
    if (key === '$or') return (condition as Filter[]).some((f) => matches(doc, f));
    return fieldMatches(valueAt(doc, key), condition);
  });
}

/** Documents in a sort's order (keys compared in turn, MongoDB's order for each). */
export function sortDocuments(docs: Document[], sort: Record<string, 1 | -1>): Document[] {
  return [...docs].sort((a, b) => {
    for (const [key, dir] of Object.entries(sort)) {
      const c = compareValues(valueAt(a, key), valueAt(b, key));
      if (c !== 0) return c * dir;
    }
    return 0;
  });
}
