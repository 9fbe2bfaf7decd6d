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
  // Staff by name (never an id: while the directory loads, or for an account it no longer
  // lists, "a staff member"); the service's own parts (the mail sender, intake, …) by what they
  // are.
  const nameOf = (actor: string) =>
    actor.startsWith('system:')
      ? translate(`app.system_actor.${actor.slice('system:'.length)}`, {
          _: translate('app.system_actor.other'),
        })
      : (staff.data?.find((s) => s.id === actor)?.displayName ??
        translate('app.system_actor.staff'));
  const changedTo = (entry: InquiryRecord['timeline'][number], field: string) =>
    (entry.detail[field] as { to?: unknown } | undefined)?.to;

  const describe = (entry: InquiryRecord['timeline'][number]) => {
    if (entry.kind === 'status') {
      const status = translate(`app.status.${String(entry.detail.status)}`);
      return entry.detail.reason ? `${status} — ${String(entry.detail.reason)}` : status;
    }
    // A notice to the family that did not go, or went late: which, and why (the gate's reason).
    if (/^(notice\.|mail\.suppressed$)/.test(entry.action)) {
      const event = changedTo(entry, 'event');
      const reason = changedTo(entry, 'reason');
      const label = translate(`app.timeline.${entry.action}`, { _: entry.action });
      const what = event ? translate(`app.mail.event.${String(event)}`, { _: '' }) : '';
      const why = reason ? translate(`app.notice_reason.${String(reason)}`, { _: '' }) : '';
      return [label, what && `: ${what}`, why && ` — ${why}`].join('');
    }
    // Persons and searches: what happened and why, never the records' ids.
    if (/^(person|search)\./.test(entry.action)) {
      const label = translate(`app.timeline.${entry.action}`, { _: entry.action });
      const by = changedTo(entry, 'by');
      const verified = changedTo(entry, 'verified') === true ? '_verified' : '';
      const reason = changedTo(entry, 'reason');
      return [
        label,
        by ? ` (${translate(`app.people.matched_by.${String(by)}${verified}`, { _: '' })})` : '',
        reason ? ` — ${String(reason)}` : '',
      ].join('');
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
