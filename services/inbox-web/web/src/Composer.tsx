// The reply editor: text with a live count of characters, encoding and segments (counted as the
// conversation service will count the sent text, discount line included), an image URL and a
// discount code. Outside quiet hours one button sends; inside them "Send Reply Now" overrides and
// "Schedule Sending" sends when they end. One Idempotency-Key per draft and way of sending: a
// double click or a retry after a lost answer sends the reply once.

import { Banner, BlockStack, Button, InlineStack, Text, TextField } from '@shopify/polaris';
import { smsSize, withDiscount } from '@sms-inbox/platform/browser';
import { useRef, useState } from 'react';
import { ApiError, type Conversation, type InboxApi, type Message, type SendMode } from './api';
import { formatTime, quietHoursOf } from './format';
import type { Session } from './session';

interface Props {
  api: InboxApi;
  session: Session;
  conversation: Conversation;
  onSent(message: Message): void;
  onError(err: unknown): void;
}

export function Composer({ api, session, conversation, onSent, onError }: Props) {
  const [text, setText] = useState('');
  const [mediaUrl, setMediaUrl] = useState('');
  const [discountCode, setDiscountCode] = useState('');
  const [sending, setSending] = useState<SendMode>();
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  /** Quiet hours as the server last told them (a 409 when they began after the page loaded). */
  const [quietFromServer, setQuietFromServer] = useState<{ endsAt?: string; timezone?: string }>();
  const key = useRef<{ draft: string; key: string }>();

  const subscriber = conversation.subscriber;
  const quiet = quietHoursOf(conversation);
  const inQuietHours = Boolean(quiet?.active || quietFromServer);
  const endsAt = quietFromServer?.endsAt ?? quiet?.endsAt;
  const zone = subscriber.timezone ?? quietFromServer?.timezone ?? quiet?.timezone;

  // What the subscriber receives: the text and, with a code, the discount line.
  const code = discountCode.trim();
  const shop = session.shop();
  const full = (() => {
    try {
      return code && shop ? withDiscount(text, shop, code) : text;
    } catch {
      return text; // a code the API will refuse, in words, on send
    }
  })();
  const size = smsSize(full);
  const empty = !text.trim() && !mediaUrl.trim() && !discountCode.trim();

  const send = async (mode: SendMode) => {
    if (sending) return;
    const input = {
      text,
      send: mode,
      ...(mediaUrl.trim() ? { mediaUrl: mediaUrl.trim() } : {}),
      ...(discountCode.trim() ? { discountCode: discountCode.trim() } : {}),
    };
    const draft = JSON.stringify([conversation.id, input]);
    if (key.current?.draft !== draft) key.current = { draft, key: crypto.randomUUID() };
    setSending(mode);
    setError(undefined);
    setNotice(undefined);
    try {
      const message = await api.reply(conversation.id, input, key.current.key);
      key.current = undefined;
      setText('');
      setMediaUrl('');
      setDiscountCode('');
      setQuietFromServer(undefined);
      setNotice(
        message.status === 'scheduled'
          ? `Scheduled: sends ${formatTime(message.scheduledFor, zone)}, when quiet hours end.`
          : message.quietHoursOverride
            ? 'Sent now, overriding quiet hours.'
            : 'Reply sent.',
      );
      onSent(message);
    } catch (err) {
      onError(err);
      const apiError = err instanceof ApiError ? err : new ApiError(0, 'unexpected', String(err));
      if (apiError.code === 'quiet_hours') {
        const q = apiError.details.quietHours as { endsAt?: string; timezone?: string } | undefined;
        setQuietFromServer(q ?? {});
      } else {
        setError(apiError);
      }
    } finally {
      setSending(undefined);
    }
  };

  return (
    <BlockStack gap="300">
      <Text as="h3" variant="headingMd">
        Reply
      </Text>
      {error &&
        (error.status === 0 ? (
          // No answer: it may have been taken. Sending again is safe (the same Idempotency-Key).
          <Banner tone="warning" title="No answer from the server" onDismiss={() => setError(undefined)}>
            <p>{error.message} Send again: the same reply is never sent twice.</p>
          </Banner>
        ) : (
          <Banner tone="critical" title="The reply was not sent" onDismiss={() => setError(undefined)}>
            <p>{error.message}</p>
          </Banner>
        ))}
      {notice && (
        <Banner tone="success" onDismiss={() => setNotice(undefined)}>
          <p role="status">{notice}</p>
        </Banner>
      )}
      <TextField
        label="Message"
        value={text}
        onChange={setText}
        multiline={3}
        autoComplete="off"
        maxLength={1600}
        helpText={
          <span data-testid="segment-count">
            {full.length} characters{full !== text ? ' with the discount line' : ''} · {size.encoding} ·{' '}
            {size.segments} {size.segments === 1 ? 'segment' : 'segments'}
          </span>
        }
      />
      <InlineStack gap="300" wrap>
        <div style={{ flex: '2 1 16rem' }}>
          <TextField
            label="Image URL"
            type="url"
            value={mediaUrl}
            onChange={setMediaUrl}
            autoComplete="off"
            placeholder="https://…"
          />
        </div>
        <div style={{ flex: '1 1 10rem' }}>
          <TextField
            label="Discount code"
            value={discountCode}
            onChange={setDiscountCode}
            autoComplete="off"
          />
        </div>
      </InlineStack>
      {inQuietHours ? (
        <BlockStack gap="200">
          <Banner tone="info" title="💤 This subscriber is in quiet hours">
            <p>
              It is {quietFromServer ? 'now' : 'currently'} quiet hours where they are
              {endsAt ? `, until ${formatTime(endsAt, zone)}` : ''}.
            </p>
          </Banner>
          <InlineStack gap="300" wrap>
            <Button
              variant="primary"
              disabled={empty}
              loading={sending === 'scheduled'}
              onClick={() => void send('scheduled')}
            >
              Schedule Sending
            </Button>
            <Button
              tone="critical"
              disabled={empty}
              loading={sending === 'now'}
              onClick={() => void send('now')}
            >
              Send Reply Now
            </Button>
          </InlineStack>
          <Text as="p" tone="subdued" variant="bodySm">
            Schedule Sending sends it {endsAt ? `at ${formatTime(endsAt, zone)}` : 'when quiet hours end'}.
            Send Reply Now overrides quiet hours: only for what cannot wait.
          </Text>
        </BlockStack>
      ) : (
        <InlineStack align="end">
          <Button
            variant="primary"
            disabled={empty}
            loading={sending === 'auto'}
            onClick={() => void send('auto')}
          >
            Send Reply
          </Button>
        </InlineStack>
      )}
    </BlockStack>
  );
}
