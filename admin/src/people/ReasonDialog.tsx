import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslate } from 'react-admin';

// Asks why before a change that joins or parts records (the reason goes to the audit trail).
export function ReasonDialog({
  title,
  text,
  busy,
  onCancel,
  onConfirm,
}: {
  title: string;
  text: string;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (reason: string) => void;
}) {
  const translate = useTranslate();
  const [reason, setReason] = useState('');
  return (
    <Dialog open onClose={onCancel} fullWidth maxWidth="sm">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim()) onConfirm(reason.trim());
        }}
      >
        <DialogTitle>{title}</DialogTitle>
        <DialogContent>
          <Typography variant="body2" gutterBottom>
            {text}
          </Typography>
          <TextField
            autoFocus
            fullWidth
            required
            multiline
            minRows={2}
            margin="dense"
            label={translate('app.people.reason')}
            helperText={translate('app.people.reason_help')}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onCancel}>{translate('app.people.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={busy || !reason.trim()}>
            {translate('app.people.confirm')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
