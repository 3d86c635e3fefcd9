import '../jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@fontsource/be-vietnam-pro/400.css';
import '@fontsource/be-vietnam-pro/600.css';
import '@fontsource/be-vietnam-pro/700.css';
import './leader.css';
import { LeaderApp } from './LeaderApp';

const root = document.getElementById('root');
if (!root) throw new Error('leader.html has no #root');
createRoot(root).render(
  <StrictMode>
    <LeaderApp />
  </StrictMode>,
);
