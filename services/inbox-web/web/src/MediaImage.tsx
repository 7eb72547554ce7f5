// An inbound MMS image: the gateway streams it from Twilio with the account's credentials and
// needs the session token, which an <img> cannot send; fetched as a blob and shown from memory.
import { Spinner, Text } from '@shopify/polaris';
import { useEffect, useState } from 'react';
import type { InboxApi } from './api';

export function MediaImage({ api, messageId, index }: { api: InboxApi; messageId: string; index: number }) {
  const [src, setSrc] = useState<string>();
  const [failed, setFailed] = useState<string>();
  useEffect(() => {
    let url: string | undefined;
    let live = true;
    api.media(messageId, index).then(
      (blob) => {
        url = URL.createObjectURL(blob);
        if (live) setSrc(url);
      },
      (err: Error) => live && setFailed(err.message),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, messageId, index]);
  if (failed)
    return (
      <Text as="p" tone="critical">
        The image could not be loaded: {failed}
      </Text>
    );
  if (!src) return <Spinner size="small" accessibilityLabel="Loading image" />;
  return <img src={src} alt={`Attachment ${index + 1} from the subscriber`} />;
}
