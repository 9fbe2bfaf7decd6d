import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useGetList, useTranslate } from 'react-admin';
import type { InquiryRecord } from './case-types';

interface StaffEntry {
  id: string;
  displayName: string;
}

// Newest first: status changes and every audited action on the case (the API merges them).
export function Timeline({ record }: { record: InquiryRecord }) {
  const translate = useTranslate();
  const staff = useGetList<StaffEntry>('staff', { pagination: { page: 1, perPage: 1000 } });
  const nameOf = (actor: string) => staff.data?.find((s) => s.id === actor)?.displayName ?? actor;

  const describe = (entry: InquiryRecord['timeline'][number]) => {
    if (entry.kind === 'status') {
      const status = translate(`app.status.${String(entry.detail.status)}`);
      return entry.detail.reason ? `${status} — ${String(entry.detail.reason)}` : status;
    }
    const after = (entry.detail.after ?? entry.detail) as Record<string, unknown>;
    const summary = Object.entries(after)
      .filter(([, v]) => v !== null && typeof v !== 'object')
      .map(([k, v]) => `${k}: ${String(v)}`)
      .slice(0, 4)
      .join(', ');
    // A readable name where there is one; the action as recorded otherwise.
    const label = translate(`app.timeline.${entry.action}`, { _: entry.action });
    return summary ? `${label} (${summary})` : label;
  };

  return (
    <Box component="section" aria-labelledby="timeline-heading">
      <Typography id="timeline-heading" variant="h6" component="h2">
        {translate('app.case.timeline')}
      </Typography>
      <Box component="ol" sx={{ listStyle: 'none', p: 0, m: 0 }} data-testid="timeline">
        {record.timeline.map((entry, i) => (
          <Box
            component="li"
            key={`${entry.at}-${i}`}
            data-kind={entry.kind}
            data-action={entry.action}
            sx={{
              borderLeft: 3,
              borderColor: entry.kind === 'status' ? 'primary.main' : 'grey.400',
              pl: 1.5,
              py: 0.5,
              mb: 0.5,
            }}
          >
            <Typography variant="caption" color="text.secondary" component="p">
              {new Date(entry.at).toLocaleString()} · {nameOf(entry.actor)}
            </Typography>
            <Typography variant="body2">{describe(entry)}</Typography>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
