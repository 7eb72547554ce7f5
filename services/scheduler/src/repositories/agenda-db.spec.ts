import { ObjectId } from 'mongodb';
import { byIdAlone } from './agenda-db.js';

describe('byIdAlone', () => {
  const id = new ObjectId();

  it('drops the name beside a job id', () => {
    expect(byIdAlone({ _id: id, name: 'release-scheduled-reply' })).toEqual({ _id: id });
    expect(byIdAlone({ _id: 'abc', name: 'release-scheduled-reply' })).toEqual({ _id: 'abc' });
  });

  it.each([
    ['an id alone', { _id: id }],
    ['an id set', { _id: { $in: [id] }, name: 'release-scheduled-reply' }],
    ['the lock conditions beside the id', { _id: id, name: 'x', lockedAt: null }],
    ['a name alone', { name: 'release-scheduled-reply' }],
    ['a name that is a condition', { _id: id, name: { $ne: 'x' } }],
    ['the due-job query', { name: 'x', disabled: { $ne: true }, $or: [{ lockedAt: null }] }],
  ])('leaves %s as it is', (_what, filter) => {
    expect(byIdAlone(filter)).toBe(filter);
  });
});
