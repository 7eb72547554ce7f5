// The Inbox: the conversation list (red dot, filters, search, paging as you scroll) beside the
// open thread, kept live by the gateway's event stream. The open conversation is in the address
// (`?conversation=<id>`), so a reload or a shared link opens it again.
import { Banner, Page } from '@shopify/polaris';
import { useCallback, useEffect, useState } from 'react';
import { ApiError, type Conversation, type InboxApi } from './api';
import { type Filter, InboxList } from './InboxList';
import { followEvents } from './live';
import { SignedOut } from './SignedOut';
import type { Session } from './session';
import { Thread } from './Thread';

const selectedFromAddress = () =>
  new URLSearchParams(window.location.search).get('conversation') ?? undefined;

export function App({ api, session }: { api: InboxApi; session: Session }) {
  const [unresolved, setUnresolved] = useState<number>();
  const [selected, setSelected] = useState<string | undefined>(selectedFromAddress);
  const [filter, setFilter] = useState<Filter>('all');
  const [query, setQuery] = useState('');
  /** The latest version of each conversation the stream (or an action) brought. */
  const [changed, setChanged] = useState<{ conversation: Conversation; seq: number }>();
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const [signedOut, setSignedOut] = useState(false);
  const [summaryError, setSummaryError] = useState<ApiError>();
  /** Counts the starts of the live stream: the list reads its first page again at each. */
  const [synced, setSynced] = useState(0);

  const onError = useCallback((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) setSignedOut(true);
  }, []);

  useEffect(() => {
    api
      .summary()
      .then((s) => setUnresolved(s.unresolved))
      .catch((err) => {
        onError(err);
        if (err instanceof ApiError) setSummaryError(err);
      });
    let seq = 0;
    return followEvents(api, {
      ready: (count) => {
        setUnresolved(count);
        setLive('live');
        setSynced((n) => n + 1);
      },
      changed: (conversation, count) => {
        setUnresolved(count);
        setChanged({ conversation, seq: ++seq });
      },
      dropped: () => setLive('reconnecting'),
    });
  }, [api, onError]);

  useEffect(() => {
    const onPop = () => setSelected(selectedFromAddress());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const open = useCallback((id: string | undefined) => {
    const url = new URL(window.location.href);
    if (id) url.searchParams.set('conversation', id);
    else url.searchParams.delete('conversation');
    window.history.pushState(null, '', url.pathname + url.search);
    setSelected(id);
  }, []);

  const updated = useCallback(
    (conversation: Conversation) => {
      setChanged((last) => ({ conversation, seq: (last?.seq ?? 0) + 1 }));
      void api.summary().then((s) => setUnresolved(s.unresolved), onError);
    },
    [api, onError],
  );

  if (signedOut) return <SignedOut expired />;

  return (
    <Page
      fullWidth
      title="Inbox"
      titleMetadata={
        unresolved ? (
          <span
            className="red-dot"
            role="status"
            aria-label={`${unresolved} unresolved`}
            data-testid="red-dot"
          >
            {unresolved}
          </span>
        ) : (
          <span className="visually-hidden" role="status">
            No unresolved conversations
          </span>
        )
      }
      subtitle={live === 'reconnecting' ? 'Reconnecting to live updates…' : undefined}
    >
      {summaryError && summaryError.status !== 401 && (
        <Banner
          tone="critical"
          title="The unresolved count could not be loaded"
          onDismiss={() => setSummaryError(undefined)}
        >
          <p>{summaryError.message}</p>
        </Banner>
      )}
      <div className="inbox-layout" data-open={selected ? 'true' : 'false'}>
        <div className="inbox-list-pane">
          <InboxList
            api={api}
            filter={filter}
            onFilter={setFilter}
            query={query}
            onQuery={setQuery}
            unresolved={unresolved}
            selected={selected}
            onOpen={open}
            changed={changed}
            synced={synced}
            onError={onError}
          />
        </div>
        <div className="inbox-thread-pane">
          {selected && (
            <Thread
              key={selected}
              api={api}
              session={session}
              conversationId={selected}
              changed={changed?.conversation.id === selected ? changed : undefined}
              onUpdated={updated}
              onClose={() => open(undefined)}
              onError={onError}
            />
          )}
        </div>
      </div>
    </Page>
  );
}
