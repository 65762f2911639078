'use client';

import { usePathname } from 'next/navigation';
import { pageUsesTimeRange } from '@/lib/time-range';
import { TimeRangePicker } from './TimeRangePicker';

/** The header's time-range picker, on the pages whose panels read it (lib/time-range PAGES_WITH_TIME_RANGE) only. */
export function TimeRangeSlot() {
  const pathname = usePathname();
  return pageUsesTimeRange(pathname) ? <TimeRangePicker /> : null;
}
