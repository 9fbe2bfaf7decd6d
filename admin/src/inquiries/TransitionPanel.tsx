import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslate } from 'react-admin';
import { api } from '../api/http';
import type { InquiryRecord, TransitionOption } from './case-types';
import type { useCaseAction } from './useCaseAction';

// Exactly the transitions the API offers this user from the current status: allowed ones as
// buttons, blocked ones disabled with the guards' reasons written out beside them (a disabled
// button cannot show a tooltip to a keyboard user).
export function TransitionPanel(props: {
  record: InquiryRecord;
  action: ReturnType<typeof useCaseAction>;
}) {
  const { record, action } = props;
  const translate = useTranslate();
  const [chosen, setChosen] = useState<TransitionOption>();
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  const options = useQuery({
    queryKey: ['case', record.id, 'transitions', record.inquiry.version],
    queryFn: () => api<TransitionOption[]>(`/inquiries/${record.id}/transitions`),
  });

  const open = (option: TransitionOption) => {
    setChosen(option);
    setReason('');
    setTouched(false);
  };
  const fire = async () => {
    if (!chosen) return;
    setTouched(true);
    if (chosen.reasonRequired && !reason.trim()) return;
    const option = chosen;
    setChosen(undefined);
    await action
      .run(
        () =>
          api(`/inquiries/${record.id}/transitions`, {
            method: 'POST',
            body: {
              to: option.to,
              reason: reason.trim() || undefined,
              version: record.inquiry.version,
            },
          }),
        { message: 'app.case.moved', args: { status: translate(`app.status.${option.to}`) } },
      )
      .catch(() => undefined);
  };

  const missingReason = Boolean(chosen?.reasonRequired && touched && !reason.trim());
  return (
    <Box component="section" aria-labelledby="transitions-heading">
      <Typography id="transitions-heading" variant="h6" component="h2">
        {translate('app.case.transitions')}
      </Typography>
      {options.data?.length === 0 && (
        <Typography variant="body2">{translate('app.case.no_transitions')}</Typography>
      )}
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, mt: 1 }}>
        {options.data?.map((option) => (
          <Box key={option.transition} sx={{ maxWidth: 260 }} data-transition={option.transition}>
            <Button
              variant={option.allowed ? 'contained' : 'outlined'}
              disabled={!option.allowed || action.busy}
              onClick={() => open(option)}
              aria-describedby={option.allowed ? undefined : `blocked-${option.transition}`}
            >
              {translate(`app.status.${option.to}`)}
            </Button>
            {!option.allowed && (
              <Typography
                id={`blocked-${option.transition}`}
                variant="caption"
                component="p"
                color="text.secondary"
                data-testid="blocked-reason"
              >
                {option.blockedBy.join(' ')}
              </Typography>
            )}
          </Box>
        ))}
      </Box>
      <Dialog
        open={Boolean(chosen)}
        onClose={() => setChosen(undefined)}
        aria-labelledby="transition-title"
        fullWidth
      >
        <DialogTitle id="transition-title">
          {chosen &&
            `${translate(`app.status.${record.inquiry.status}`)} → ${translate(`app.status.${chosen.to}`)}`}
        </DialogTitle>
        <DialogContent>
          <TextField
            label={translate('app.case.reason')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required={chosen?.reasonRequired}
            error={missingReason}
            helperText={missingReason ? translate('app.case.reason_required') : ' '}
            multiline
            fullWidth
            autoFocus
            margin="normal"
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setChosen(undefined)}>{translate('ra.action.cancel')}</Button>
          <Button variant="contained" onClick={() => void fire()}>
            {translate('app.case.fire')}
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
