import { Card, Page, Text } from '@shopify/polaris';

/** Opened without a session: say how to get one, never a blank page. */
export function SignedOut({ expired = false }: { expired?: boolean }) {
  return (
    <Page title="Inbox">
      <Card>
        <Text as="h2" variant="headingMd">
          {expired ? 'Your session has ended' : 'Sign in to see your inbox'}
        </Text>
        <Text as="p">
          Open the Inbox from your Shopify admin. On a development machine, open the link that `npm start`
          prints: it signs you in as the demo shop.
        </Text>
      </Card>
    </Page>
  );
}
