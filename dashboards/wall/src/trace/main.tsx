import '../jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@fontsource/be-vietnam-pro/400.css';
import '@fontsource/be-vietnam-pro/600.css';
import '../field-reports/pages.css';
import './trace.css';
import { TraceApp } from './TraceApp';

const root = document.getElementById('root');
if (!root) throw new Error('trace.html has no #root');
createRoot(root).render(
  <StrictMode>
    <TraceApp />
  </StrictMode>,
);
