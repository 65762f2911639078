'use client';

/**
 * The service a panel narrows to: "All services", the services the store
 * knows in the range, and the one in the URL even when the store no longer
 * lists it (a link from last week still says what it was about).
 */
export function ServiceSelect({ id, value, services, onChange, className, testId }: { id: string; value: string; services: readonly string[] | undefined; onChange: (svc: string) => void; className: string; testId: string }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} className={className} data-testid={testId}>
      <option value="">All services</option>
      {value && !services?.includes(value) && <option value={value}>{value}</option>}
      {services?.map((s) => (
        <option key={s} value={s}>
          {s}
        </option>
      ))}
    </select>
  );
}
