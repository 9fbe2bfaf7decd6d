import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import { useTranslate } from 'react-admin';
import type { Conflict } from './useCaseAction';

export function ConflictDialog(props: {
  conflict?: Conflict;
  onReload: () => void;
  onClose: () => void;
}) {
  const translate = useTranslate();
  return (
    <Dialog
      open={Boolean(props.conflict)}
      onClose={props.onClose}
      aria-labelledby="conflict-title"
      role="alertdialog"
    >
      <DialogTitle id="conflict-title">{translate('app.case.conflict_title')}</DialogTitle>
      <DialogContent>
        <DialogContentText data-testid="conflict-message">
          {translate('app.case.conflict_body', {
            name: props.conflict?.name ?? translate('app.case.conflict_someone'),
          })}
        </DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{translate('ra.action.close')}</Button>
        <Button variant="contained" onClick={props.onReload} autoFocus>
          {translate('app.case.reload')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
