import Chip from '@mui/material/Chip';
import { useTranslate } from 'react-admin';
import { CLOSED_STATES, type State } from './constants';

// One colour per stage, chosen for contrast with white text (WCAG AA) and told apart by their
// words as well, never by colour alone.
const COLOURS: Partial<Record<State, string>> = {
  received: '#1565c0',
  gathering_information: '#4527a0',
  verifying: '#6a1b9a',
  detention_confirmed: '#ad1457',
  travel_planning: '#00695c',
  in_transit: '#2e7d32',
  handover_scheduled: '#1b5e20',
  handed_over: '#33691e',
  on_hold: '#8d4a00',
};

export function StatusChip({ status }: { status: State }) {
  const translate = useTranslate();
  const closed = (CLOSED_STATES as readonly string[]).includes(status);
  return (
    <Chip
      size="small"
      label={translate(`app.status.${status}`)}
      data-status={status}
      sx={{ bgcolor: closed ? '#546e7a' : (COLOURS[status] ?? '#37474f'), color: '#fff' }}
    />
  );
}
