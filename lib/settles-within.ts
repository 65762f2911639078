/**
 * Whether `p` settles within `ms`. The deadline timer is cleared as soon as
 * either side wins: a pending timer left behind (the old `Promise.race` with a
 * sleep) kept every process that stopped a child alive until it fired.
 */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true, () => true), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
