'use client';

import Link from 'next/link';
import { usePathname, useSearchParams } from 'next/navigation';

export const NAV_ITEMS = [
  { href: '/sandbox', label: 'Sandbox' },
  { href: '/explore', label: 'Explore' },
  { href: '/slos', label: 'SLOs' },
  { href: '/incidents', label: 'Incidents' },
  { href: '/status', label: 'Status' },
] as const;

/** Main navigation; carries the time range along so switching views keeps the window. */
export function NavLinks() {
  const pathname = usePathname();
  const params = useSearchParams();
  const keep = new URLSearchParams();
  for (const k of ['from', 'to']) {
    const v = params.get(k);
    if (v) keep.set(k, v);
  }
  const qs = keep.toString();
  return (
    <ul className="flex flex-wrap items-center gap-1">
      {NAV_ITEMS.map((item) => {
        const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
        return (
          <li key={item.href}>
            <Link
              href={qs ? `${item.href}?${qs}` : item.href}
              aria-current={active ? 'page' : undefined}
              className={`rounded-md px-2.5 py-1.5 text-sm font-medium ${active ? 'bg-panel-2 text-fg' : 'text-muted hover:bg-panel-2 hover:text-fg'}`}
            >
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

/** Server-rendered fallback while search params are not known (same links, nothing active). */
export function NavLinksFallback() {
  return (
    <ul className="flex flex-wrap items-center gap-1">
      {NAV_ITEMS.map((item) => (
        <li key={item.href}>
          <Link href={item.href} className="rounded-md px-2.5 py-1.5 text-sm font-medium text-muted hover:bg-panel-2 hover:text-fg">
            {item.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}
