// The conversation list: one entry per subscriber, newest activity first, filtered by status and
// searched by phone or name; the next page loads as the end of the list scrolls into view (or
// by its button, for the keyboard). Live changes move an entry to the top, add a new one, or
// drop one that no longer matches the filter.
import { Badge, Banner, Button, Card, InlineStack, Select, Spinner, Text, TextField } from '@shopify/polaris';
import { useEffect, useRef, useState } from 'react';
import { ApiError, type Conversation, type ConversationStatus, type InboxApi } from './api';
import { CONVERSATION_STATUS_LABEL, displayName, formatPhone, formatTime, quietHoursOf } from './format';

export type Filter = 'all' | ConversationStatus;
const FILTERS: Array<{ id: Filter; label: string }> = [
  { id: 'all', label: 'All' },
  { id: 'unresolved', label: 'Unresolved' },
  { id: 'resolved', label: 'Resolved' },
  { id: 'opted_out', label: 'Opted out' },
];
const PAGE_SIZE = 25;
export const FIRST_LIST_MARK = 'inbox:first-list';

interface Props {
  api: InboxApi;
  filter: Filter;
  onFilter(filter: Filter): void;
  query: string;
  onQuery(query: string): void;
  unresolved?: number;
  selected?: string;
  onOpen(id: string): void;
  changed?: { conversation: Conversation; seq: number };
  /** Grows each time the live stream (re)starts. */
  synced: number;
  onError(err: unknown): void;
}

export function InboxList({
  api,
  filter,
  onFilter,
  query,
  onQuery,
  unresolved,
  selected,
  onOpen,
  changed,
  synced,
  onError,
}: Props) {
  const [items, setItems] = useState<Conversation[]>([]);
  const [cursor, setCursor] = useState<string | null>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [search, setSearch] = useState(query);
  const generation = useRef(0);
  const sentinel = useRef<HTMLDivElement>(null);

  // Typing settles for a moment before the search runs.
  useEffect(() => {
    const timer = setTimeout(() => onQuery(search.trim()), 300);
    return () => clearTimeout(timer);
  }, [search, onQuery]);

  const load = async (from: string | undefined, replace: boolean) => {
    const mine = replace ? ++generation.current : generation.current;
    setLoading(true);
    try {
      const page = await api.conversations({
        status: filter === 'all' ? undefined : filter,
        q: query || undefined,
        cursor: from,
        limit: PAGE_SIZE,
      });
      if (mine !== generation.current) return;
      setItems((old) => (replace ? page.items : merge(old, page.items)));
      setCursor(page.nextCursor ?? null);
      setError(undefined);
    } catch (err) {
      if (mine !== generation.current) return;
      onError(err);
      setError(err instanceof ApiError ? err : new ApiError(0, 'unexpected', String(err)));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter or search starts the list over
  useEffect(() => {
    setItems([]);
    setCursor(undefined);
    void load(undefined, true);
  }, [filter, query, api]);

  // The live stream started (or started again): a text that arrived between the list's read and
  // the stream's start was announced to no one, so the first page is read again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new start of the stream reloads here
  useEffect(() => {
    if (synced > 0) void load(undefined, true);
  }, [synced]);

  // When the first entries show: the benchmark's "time to first list" (docs/benchmarks.md).
  useEffect(() => {
    if (items.length > 0 && performance.getEntriesByName(FIRST_LIST_MARK).length === 0)
      performance.mark(FIRST_LIST_MARK);
  }, [items.length]);

  // The next page when the end of the list comes into view.
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !cursor || loading) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void load(cursor, false);
    });
    observer.observe(element);
    return () => observer.disconnect();
  });

  // A live change: to the top when it belongs here, away when it no longer does.
  useEffect(() => {
    if (!changed) return;
    const c = changed.conversation;
    setItems((old) => {
      const rest = old.filter((item) => item.id !== c.id);
      const listed = rest.length !== old.length;
      const belongs = filter === 'all' || c.status === filter;
      if (!belongs) return rest;
      // A search's matches are the server's to decide: update what is listed, add nothing.
      if (query && !listed) return old;
      return [c, ...rest].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
    });
  }, [changed, filter, query]);

  const options = FILTERS.map((f) => ({
    value: f.id,
    label: f.id === 'unresolved' && unresolved ? `${f.label} (${unresolved})` : f.label,
  }));

  return (
    <Card padding="0">
      <div style={{ padding: '0.75rem 1rem', display: 'grid', gap: '0.5rem' }}>
        <Select
          label="Filter by"
          labelInline
          options={options}
          value={filter}
          onChange={(v) => onFilter(v as Filter)}
        />
        <TextField
          label="Search by phone or name"
          labelHidden
          placeholder="Search by phone or name"
          value={search}
          onChange={setSearch}
          autoComplete="off"
          clearButton
          onClearButtonClick={() => setSearch('')}
        />
      </div>
      {error && (
        <div style={{ padding: '0 1rem 0.75rem' }}>
          <Banner
            tone="critical"
            title="The conversations could not be loaded"
            action={{ content: 'Try again', onAction: () => void load(undefined, true) }}
          >
            <p>{error.message}</p>
          </Banner>
        </div>
      )}
      <nav aria-label="Conversations">
        <ul style={{ listStyle: 'none', margin: 0, padding: 0 }} data-testid="conversation-list">
          {items.map((c) => (
            <li key={c.id}>
              <ConversationEntry conversation={c} current={c.id === selected} onOpen={() => onOpen(c.id)} />
            </li>
          ))}
        </ul>
      </nav>
      {!loading && !error && items.length === 0 && (
        <div style={{ padding: '1.5rem 1rem' }}>
          <Text as="p" tone="subdued">
            {query ? `No conversation matches “${query}”.` : 'No conversations here yet.'}
          </Text>
        </div>
      )}
      <div ref={sentinel} style={{ padding: '0.75rem 1rem' }}>
        {loading ? (
          <InlineStack align="center">
            <Spinner accessibilityLabel="Loading conversations" size="small" />
          </InlineStack>
        ) : (
          cursor && (
            <Button fullWidth onClick={() => void load(cursor, false)}>
              Load more
            </Button>
          )
        )}
      </div>
    </Card>
  );
}

function ConversationEntry({
  conversation: c,
  current,
  onOpen,
}: {
  conversation: Conversation;
  current: boolean;
  onOpen(): void;
}) {
  const quiet = quietHoursOf(c);
  const last = c.lastMessage;
  const preview = last
    ? `${last.direction === 'outbound' ? 'You: ' : ''}${last.text || (last.mediaUrls.length ? '📷 Image' : '')}`
    : '';
  const name = displayName(c.subscriber);
  return (
    <button
      type="button"
      className="inbox-list-item"
      aria-current={current}
      onClick={onOpen}
      data-testid="conversation-entry"
    >
      <div className="inbox-row">
        <Text as="span" fontWeight={c.status === 'unresolved' ? 'bold' : 'regular'}>
          {name}
          {quiet?.active && (
            <span role="img" aria-label="in quiet hours" title="In quiet hours">
              {' '}
              💤
            </span>
          )}
        </Text>
        <Text as="span" tone="subdued" variant="bodySm">
          {formatTime(c.lastActivityAt)}
        </Text>
      </div>
      {name !== formatPhone(c.subscriber.phone) && (
        <Text as="p" tone="subdued" variant="bodySm">
          {formatPhone(c.subscriber.phone)}
        </Text>
      )}
      <div className="inbox-row">
        <span className="inbox-preview">{preview}</span>
        <Badge
          tone={c.status === 'unresolved' ? 'attention' : c.status === 'opted_out' ? 'critical' : 'success'}
        >
          {CONVERSATION_STATUS_LABEL[c.status]}
        </Badge>
      </div>
    </button>
  );
}

function merge(old: Conversation[], next: Conversation[]): Conversation[] {
  const seen = new Set(old.map((c) => c.id));
  return [...old, ...next.filter((c) => !seen.has(c.id))];
}
