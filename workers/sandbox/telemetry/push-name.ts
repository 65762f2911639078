// Pyroscope's push name, `app{k=v,…}`: pure, so the browser run names its
// pushes the same way the sandbox does.

/** A label value as Pyroscope's push name can carry it: no separators, bounded. */
export function pushLabelValue(v: string): string {
  return v.replace(/[{},="\n\r]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 128);
}

/** `app{k=v,…}`, the push name Pyroscope parses into service_name and labels. */
export function pushName(appName: string, labels: Record<string, string>): string {
  const body = Object.entries(labels)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${pushLabelValue(v)}`)
    .join(',');
  return `${appName}{${body}}`;
}
