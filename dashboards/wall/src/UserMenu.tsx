import { useEffect, useState } from 'react';
import type { SessionUser } from '@ioc/schemas';
import type { Lang } from './i18n';
import './user-menu.css';
import { loadSession, signOut } from './session';

const WORDS: Record<Lang, { signOut: string; roles: Record<SessionUser['role'], string> }> = {
  vi: { signOut: 'Đăng xuất', roles: { admin: 'Quản trị', operator: 'Điều hành', leader: 'Lãnh đạo', police: 'Cảnh sát' } },
  en: { signOut: 'Sign out', roles: { admin: 'Admin', operator: 'Operator', leader: 'Leader', police: 'Police' } },
};

/** Who is signed in, and the sign-out button: on every staff page (wall, leader, operator). */
export function UserMenu({ lang, className }: { lang: Lang; className?: string }) {
  const [user, setUser] = useState<SessionUser | null>(null);
  useEffect(() => {
    let live = true;
    void loadSession().then((session) => {
      if (live) setUser(session.user);
    });
    return () => {
      live = false;
    };
  }, []);
  if (!user) return null;
  const words = WORDS[lang];
  return (
    <div className={`user-menu ${className ?? ''}`} data-testid="user-menu">
      <span className="user-menu-name" title={user.username}>
        {user.displayName || user.username} · {words.roles[user.role]}
        {user.unit ? ` · ${user.unit}` : ''}
      </span>
      <button type="button" className="user-menu-out" onClick={() => void signOut()} data-testid="sign-out">
        {words.signOut}
      </button>
    </div>
  );
}
