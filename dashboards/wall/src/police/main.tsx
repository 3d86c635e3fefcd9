import '../jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@fontsource/be-vietnam-pro/400.css';
import '@fontsource/be-vietnam-pro/600.css';
import '../field-reports/pages.css';
import './police.css';
import { PoliceApp } from './PoliceApp';

const root = document.getElementById('root');
if (!root) throw new Error('police.html has no #root');
createRoot(root).render(
  <StrictMode>
    <PoliceApp />
  </StrictMode>,
);
