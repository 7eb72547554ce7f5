// The inbox page: React with Shopify's Polaris components, talking only to the gateway's API.
import '@shopify/polaris/build/esm/styles.css';
import './app.css';
import { AppProvider } from '@shopify/polaris';
import en from '@shopify/polaris/locales/en.json';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { InboxApi } from './api';
import { SignedOut } from './SignedOut';
import { openSession } from './session';
import { readSettings } from './settings';

const settings = readSettings();
const session = openSession(settings);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider i18n={en}>
      {session ? <App api={new InboxApi(settings.apiBaseUrl, session)} session={session} /> : <SignedOut />}
    </AppProvider>
  </StrictMode>,
);
