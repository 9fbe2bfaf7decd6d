import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useGetIdentity, useGetList, useTranslate } from 'react-admin';
import { api } from '../api/http';
import type { InquiryRecord } from './case-types';
import type { useCaseAction } from './useCaseAction';

interface StaffEntry {
  id: string;
  displayName: string;
  roles: string[];
  active: boolean;
}

// Who owns the case. A caseworker may take an unassigned one; a supervisor assigns anyone.
export function AssignmentPanel(props: {
  record: InquiryRecord;
  action: ReturnType<typeof useCaseAction>;
  canTake: boolean;
  canAssign: boolean;
}) {
  const { record, action, canTake, canAssign } = props;
  const translate = useTranslate();
  const { identity } = useGetIdentity();
  const staff = useGetList<StaffEntry>('staff', { pagination: { page: 1, perPage: 1000 } });
  const [choice, setChoice] = useState('');
  const assignee = staff.data?.find((s) => s.id === record.inquiry.assignedTo);
  const assignable = (staff.data ?? []).filter(
    (s) => s.active && s.roles.some((r) => r === 'caseworker' || r === 'supervisor'),
  );

  const assign = (assigneeId: string | null) =>
    action
      .run(
        () =>
          api(`/inquiries/${record.id}/assign`, {
            method: 'POST',
            body: { assigneeId, version: record.inquiry.version },
          }),
        { message: 'app.case.saved' },
      )
      .catch(() => undefined);

  return (
    <Box component="section" aria-labelledby="assignment-heading">
      <Typography id="assignment-heading" variant="h6" component="h2">
        {translate('app.case.assigned_to')}
      </Typography>
      <Typography variant="body1" data-testid="assignee">
        {assignee?.displayName ?? (record.inquiry.assignedTo ? '…' : translate('app.case.nobody'))}
      </Typography>
      <Box sx={{ display: 'flex', gap: 1, mt: 1, flexWrap: 'wrap', alignItems: 'center' }}>
        {canTake && !record.inquiry.assignedTo && identity && (
          <Button
            variant="outlined"
            onClick={() => void assign(String(identity.id))}
            disabled={action.busy}
          >
            {translate('app.case.take')}
          </Button>
        )}
        {canAssign && (
          <>
            <TextField
              select
              size="small"
              label={translate('app.case.assign')}
              value={choice}
              onChange={(e) => setChoice(e.target.value)}
              sx={{ minWidth: 200 }}
            >
              {assignable.map((s) => (
                <MenuItem key={s.id} value={s.id}>
                  {s.displayName}
                </MenuItem>
              ))}
            </TextField>
            <Button
              variant="outlined"
              onClick={() => void assign(choice)}
              disabled={!choice || action.busy}
            >
              {translate('app.case.assign')}
            </Button>
            {record.inquiry.assignedTo && (
              <Button onClick={() => void assign(null)} disabled={action.busy}>
                {translate('app.case.unassign')}
              </Button>
            )}
          </>
        )}
      </Box>
    </Box>
  );
}
