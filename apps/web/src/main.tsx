import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { createServices } from './app/services.ts';
import { startErrorReporting } from './lib/errorReporting.ts';
import { loadRuntimeConfig, setRuntimeConfig } from './lib/runtimeConfig.ts';
import './styles.css';

// The web app's one reader of import.meta.env: everything else comes from /api/config at run time.
const envApiBaseUrl = import.meta.env.VITE_API_BASE_URL as string | undefined;

async function boot(): Promise<void> {
  const root = document.getElementById('root');
  if (!root) return;
  const config = await loadRuntimeConfig({ envApiBaseUrl, pageOrigin: window.location.origin });
  setRuntimeConfig(config);
  const services = createServices(config);
  createRoot(root).render(
    <StrictMode>
      <App services={services} />
    </StrictMode>,
  );
  // After the first render: the SDK's chunk never delays the page, and is fetched only with a DSN.
  void startErrorReporting(config).catch(() => undefined);
}

void boot();
