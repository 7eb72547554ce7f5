// One conversation: the subscriber panel, the whole history (images, statuses, scheduled replies
// with their cancel button) and the composer. Refreshed when the live stream says it changed.
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  InlineStack,
  Link,
  Modal,
  SkeletonBodyText,
  Text,
} from '@shopify/polaris';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, type Conversation, type InboxApi, type Message } from './api';
import { Composer } from './Composer';
import {
  CONVERSATION_STATUS_LABEL,
  displayName,
  failureReason,
  formatPhone,
  formatTime,
  localTime,
  MESSAGE_STATUS_LABEL,
  quietHoursOf,
} from './format';
import { MediaImage } from './MediaImage';
import type { Session } from './session';

interface Props {
  api: InboxApi;
  session: Session;
  conversationId: string;
  changed?: { conversation: Conversation; seq: number };
  onUpdated(conversation: Conversation): void;
  onClose(): void;
  onError(err: unknown): void;
}

export function Thread({ api, session, conversationId, changed, onUpdated, onClose, onError }: Props) {
  const [conversation, setConversation] = useState<Conversation>();
  const [messages, setMessages] = useState<Message[]>();
  const [error, setError] = useState<ApiError>();
  const [actionError, setActionError] = useState<ApiError>();
  const [busy, setBusy] = useState<string>();
  const [confirmOptOut, setConfirmOptOut] = useState(false);
  const historyBox = useRef<HTMLElement>(null);

  const fail = useCallback(
    (err: unknown, set: (e: ApiError) => void) => {
      onError(err);
      set(err instanceof ApiError ? err : new ApiError(0, 'unexpected', String(err)));
    },
    [onError],
  );

  const load = useCallback(async () => {
    try {
      const [c, history] = await Promise.all([
        api.conversation(conversationId),
        api.messages(conversationId),
      ]);
      setConversation(c);
      setMessages(history);
      setError(undefined);
    } catch (err) {
      fail(err, setError);
    }
  }, [api, conversationId, fail]);

  useEffect(() => {
    void load();
  }, [load]);

  // A live change of this conversation: a new text, a status that moved.
  useEffect(() => {
    if (!changed) return;
    setConversation(changed.conversation);
    void api.messages(conversationId).then(setMessages, (err) => fail(err, setError));
  }, [changed, api, conversationId, fail]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the newest message comes into view when one is added
  useEffect(() => {
    // Within the history's own box: the page itself stays where the merchant left it.
    const box = historyBox.current;
    if (box) box.scrollTop = box.scrollHeight;
  }, [messages?.length]);

  const act = async (name: string, action: () => Promise<Conversation | undefined>) => {
    setBusy(name);
    setActionError(undefined);
    try {
      const next = await action();
      if (next) {
        setConversation(next);
        onUpdated(next);
      }
    } catch (err) {
      fail(err, setActionError);
    } finally {
      setBusy(undefined);
    }
  };

  if (error && !conversation) {
    return (
      <Card>
        <Banner
          tone="critical"
          title="This conversation could not be loaded"
          action={{ content: 'Try again', onAction: () => void load() }}
        >
          <p>{error.message}</p>
        </Banner>
      </Card>
    );
  }
  if (!conversation || !messages) {
    return (
      <Card>
        <SkeletonBodyText lines={6} />
      </Card>
    );
  }

  const subscriber = conversation.subscriber;
  const optedOut = conversation.status === 'opted_out' || subscriber.status === 'opted_out';
  const quiet = quietHoursOf(conversation);
  const name = displayName(subscriber);

  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <InlineStack gap="200" blockAlign="center">
              <span className="back-to-list">
                <Button variant="plain" onClick={onClose} accessibilityLabel="Back to the conversation list">
                  ← Inbox
                </Button>
              </span>
              <Text as="h2" variant="headingLg">
                {name}
              </Text>
              <Badge
                tone={conversation.status === 'unresolved' ? 'attention' : optedOut ? 'critical' : 'success'}
              >
                {CONVERSATION_STATUS_LABEL[conversation.status]}
              </Badge>
            </InlineStack>
            <InlineStack gap="200">
              {conversation.status === 'unresolved' && (
                <Button
                  loading={busy === 'resolve'}
                  onClick={() => void act('resolve', () => api.setStatus(conversation.id, 'resolve'))}
                >
                  Resolve
                </Button>
              )}
              {conversation.status === 'resolved' && (
                <Button
                  loading={busy === 'unresolve'}
                  onClick={() => void act('unresolve', () => api.setStatus(conversation.id, 'unresolve'))}
                >
                  Unresolve
                </Button>
              )}
              {!optedOut && (
                <Button tone="critical" onClick={() => setConfirmOptOut(true)}>
                  Opt-out
                </Button>
              )}
              {quiet?.active && !optedOut && (
                <span role="img" aria-label="in quiet hours" title="In quiet hours">
                  💤
                </span>
              )}
            </InlineStack>
          </InlineStack>
          {actionError && (
            <Banner tone="critical" onDismiss={() => setActionError(undefined)}>
              <p>{actionError.message}</p>
            </Banner>
          )}
          <SubscriberPanel conversation={conversation} />
        </BlockStack>
      </Card>

      <Card>
        <section
          ref={historyBox}
          className="thread"
          aria-label={`Messages with ${name}`}
          data-testid="thread"
        >
          {messages.length === 0 && (
            <Text as="p" tone="subdued">
              No messages yet.
            </Text>
          )}
          {messages.map((m) => (
            <MessageBubble
              key={m.id}
              api={api}
              message={m}
              timeZone={subscriber.timezone}
              onCanceled={(canceled) =>
                setMessages((old) => old?.map((x) => (x.id === canceled.id ? canceled : x)))
              }
              onError={(err) => fail(err, setActionError)}
            />
          ))}
        </section>
      </Card>

      <Card>
        {optedOut ? (
          <Banner tone="warning" title={`${name} has opted out`}>
            <p>
              {name} is unsubscribed and can no longer be messaged from the Inbox. Only active subscribers
              receive texts.
            </p>
          </Banner>
        ) : (
          <Composer
            api={api}
            session={session}
            conversation={conversation}
            onSent={(message) => {
              setMessages((old) => (old?.some((x) => x.id === message.id) ? old : [...(old ?? []), message]));
              void load();
            }}
            onError={onError}
          />
        )}
      </Card>

      <Modal
        open={confirmOptOut}
        onClose={() => setConfirmOptOut(false)}
        title={`Opt out ${name}?`}
        primaryAction={{
          content: 'Opt out',
          destructive: true,
          loading: busy === 'opt-out',
          onAction: () =>
            void act('opt-out', async () => {
              await api.optOut(subscriber.id);
              setConfirmOptOut(false);
              return api.conversation(conversation.id);
            }),
        }}
        secondaryActions={[{ content: 'Keep subscribed', onAction: () => setConfirmOptOut(false) }]}
      >
        <Modal.Section>
          <Text as="p">
            {name} ({formatPhone(subscriber.phone)}) will be unsubscribed and will receive no more texts from
            your store, including replies from the Inbox.
          </Text>
        </Modal.Section>
      </Modal>
    </BlockStack>
  );
}

function SubscriberPanel({ conversation }: { conversation: Conversation }) {
  const s = conversation.subscriber;
  const quiet = quietHoursOf(conversation);
  const names = [s.firstName, s.lastName].filter(Boolean).join(' ');
  const local = localTime(s.timezone);
  return (
    <dl className="subscriber-panel" aria-label="Subscriber">
      {names && (
        <>
          <dt>Name</dt>
          <dd>{names}</dd>
        </>
      )}
      <dt>Phone</dt>
      <dd>{formatPhone(s.phone)}</dd>
      <dt>Source</dt>
      <dd>{s.source === 'checkout' ? 'Checkout' : 'Keyword subscription'}</dd>
      {s.customerUrl && (
        <>
          <dt>Customer</dt>
          <dd>
            <Link url={s.customerUrl} target="_blank">
              Customer profile
            </Link>
          </dd>
        </>
      )}
      {local && (
        <>
          <dt>Local time</dt>
          <dd data-testid="local-time">{local}</dd>
        </>
      )}
      {quiet?.active && (
        <>
          <dt>Quiet hours</dt>
          <dd data-testid="quiet-until">
            💤 quiet until {formatTime(quiet.endsAt, s.timezone ?? quiet.timezone)}
          </dd>
        </>
      )}
    </dl>
  );
}

interface BubbleProps {
  api: InboxApi;
  message: Message;
  timeZone?: string | null;
  onCanceled(message: Message): void;
  onError(err: unknown): void;
}

function MessageBubble({ api, message: m, timeZone, onCanceled, onError }: BubbleProps) {
  const [canceling, setCanceling] = useState(false);
  const reason = failureReason(m);
  const cancel = async () => {
    setCanceling(true);
    try {
      onCanceled(await api.cancel(m.id));
    } catch (err) {
      onError(err);
    } finally {
      setCanceling(false);
    }
  };
  return (
    <article
      className={`bubble ${m.direction}`}
      data-testid="message"
      data-status={m.status}
      aria-label={m.direction === 'inbound' ? 'Received message' : 'Your reply'}
    >
      {m.text && <div>{m.text}</div>}
      {m.mediaUrls.map((url, i) =>
        m.direction === 'inbound' ? (
          <MediaImage key={url} api={api} messageId={m.id} index={i} />
        ) : (
          <img key={url} src={url} alt="Attached to your reply" />
        ),
      )}
      <div className="bubble-meta">
        <span>{formatTime(m.sentAt ?? m.createdAt)}</span>
        {m.direction === 'outbound' && (
          <Badge tone={statusTone(m.status)} progress={m.status === 'delivered' ? 'complete' : undefined}>
            {MESSAGE_STATUS_LABEL[m.status]}
          </Badge>
        )}
        {m.quietHoursOverride && <Badge tone="warning">Sent during quiet hours (override)</Badge>}
        {m.discountCode && <span>Discount {m.discountCode}</span>}
        {reason && <span role="note">Not delivered: {reason}</span>}
        {m.status === 'scheduled' && (
          <>
            <span>Sends {formatTime(m.scheduledFor, timeZone)}</span>
            <Button
              size="slim"
              loading={canceling}
              onClick={() => void cancel()}
              accessibilityLabel="Cancel this scheduled reply"
            >
              Cancel
            </Button>
          </>
        )}
      </div>
    </article>
  );
}

function statusTone(status: Message['status']) {
  switch (status) {
    case 'delivered':
      return 'success' as const;
    case 'failed':
    case 'undelivered':
      return 'critical' as const;
    case 'scheduled':
      return 'info' as const;
    case 'canceled':
      return undefined;
    default:
      return 'attention' as const;
  }
}
