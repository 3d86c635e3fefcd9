import { useEffect, useState, type FormEvent } from 'react';
import type { SessionUser } from '@ioc/schemas';
import type { Lang } from '../i18n';
import { loadSession } from '../session';
import { safeNext } from './next';

const LANG_KEY = 'ioc.login.lang';

const STRINGS: Record<Lang, {
  title: string;
  subtitle: string;
  username: string;
  password: string;
  submit: string;
  sending: string;
  switchLang: string;
  wrong: string;
  limited: string;
  failed: (status: number) => string;
  denied: (who: string) => string;
  citizen: string;
}> = {
  vi: {
    title: 'Trung tâm Điều hành Thông minh',
    subtitle: 'Đăng nhập dành cho cán bộ',
    username: 'Tên đăng nhập',
    password: 'Mật khẩu',
    submit: 'Đăng nhập',
    sending: 'Đang đăng nhập…',
    switchLang: 'English',
    wrong: 'Sai tên đăng nhập hoặc mật khẩu.',
    limited: 'Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.',
    failed: (status) => `Không đăng nhập được (lỗi ${status}). Vui lòng thử lại.`,
    denied: (who) => `Tài khoản ${who} không được mở trang này. Hãy đăng nhập bằng tài khoản khác.`,
    citizen: 'Người dân gửi phản ánh tại đây',
  },
  en: {
    title: 'Intelligent Operations Center',
    subtitle: 'Staff sign-in',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    sending: 'Signing in…',
    switchLang: 'Tiếng Việt',
    wrong: 'Wrong username or password.',
    limited: 'Too many failed sign-ins. Please try again in a few minutes.',
    failed: (status) => `Could not sign in (error ${status}). Please try again.`,
    denied: (who) => `The account ${who} may not open that page. Sign in with another account.`,
    citizen: 'Citizens: send a report here',
  },
};

/** `/login?next=/leader[&denied=1]`: the staff sign-in page. Citizens never sign in (they use /report). */
export function LoginApp() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi'));
  const t = STRINGS[lang];
  const params = new URLSearchParams(window.location.search);
  const next = params.get('next');
  const denied = params.get('denied') === '1';
  const [signedIn, setSignedIn] = useState<SessionUser | null>(null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = `${t.submit} · ${t.title}`;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, t]);

  useEffect(() => {
    // Already signed in (another tab) and allowed: straight on to the page asked for.
    void loadSession().then((session) => {
      if (!session.user) return;
      if (denied) setSignedIn(session.user);
      else window.location.replace(safeNext(next, session.user.role));
    });
  }, [denied, next]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    setProblem(undefined);
    try {
      // A previous session (the denied case) is replaced by the new one.
      const response = await fetch('/api/v1/session', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ username: username.trim(), password }) });
      if (response.status === 201) {
        const body = (await response.json()) as { user: SessionUser };
        window.location.replace(safeNext(next, body.user.role));
        return;
      }
      setProblem(response.status === 401 ? t.wrong : response.status === 429 ? t.limited : t.failed(response.status));
    } catch {
      setProblem(t.failed(0));
    } finally {
      setSending(false);
      setPassword('');
    }
  };

  return (
    <div className="fr-page login-page">
      <header className="fr-header">
        <div>
          <h1>{t.title}</h1>
          <div className="fr-subtitle">{t.subtitle}</div>
        </div>
        <button type="button" className="fr-lang" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')} data-testid="lang">
          {t.switchLang}
        </button>
      </header>
      <main className="login-main">
        <form className="login-card" onSubmit={(event) => void submit(event)} data-testid="login-form">
          <h2>{t.submit}</h2>
          {denied && signedIn && (
            <div className="fr-error" role="alert" data-testid="denied">
              <strong>{t.denied(signedIn.displayName || signedIn.username)}</strong>
            </div>
          )}
          {problem && (
            <div className="fr-error" role="alert" data-testid="login-error">
              <strong>{problem}</strong>
            </div>
          )}
          <label>
            {t.username}
            <input name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required maxLength={64} value={username} onChange={(event) => setUsername(event.target.value)} autoFocus />
          </label>
          <label>
            {t.password}
            <input name="password" type="password" autoComplete="current-password" required maxLength={1024} value={password} onChange={(event) => setPassword(event.target.value)} />
          </label>
          <button type="submit" className="fr-primary" disabled={sending || username.trim() === '' || password === ''} data-testid="login-submit">
            {sending ? t.sending : t.submit}
          </button>
          <a className="login-citizen" href="/report">
            {t.citizen}
          </a>
        </form>
      </main>
    </div>
  );
}
