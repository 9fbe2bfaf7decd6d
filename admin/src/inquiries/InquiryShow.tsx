import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Typography from '@mui/material/Typography';
import { Loading, Show, usePermissions, useRecordContext, useTranslate } from 'react-admin';
import { allowed, type Role } from '../api/session';
import { HandoverPanel } from '../handover/HandoverPanel';
import { IdentityPanel } from '../identity/IdentityPanel';
import { SearchPanel } from '../people/SearchPanel';
import { PrivacyPanel } from '../privacy/PrivacyPanel';
import { StatusLinkPanel } from '../status/StatusLinkPanel';
import { TravelPanel } from '../travel/TravelPanel';
import { AssignmentPanel } from './AssignmentPanel';
import type { InquiryRecord } from './case-types';
import { ConflictDialog } from './ConflictDialog';
import { ContactChangesPanel } from './ContactChangesPanel';
import { ContactsPanel } from './ContactsPanel';
import { DetailsPanel } from './DetailsPanel';
import { EmailsPanel } from './EmailsPanel';
import { ReceivedPanel } from './ReceivedPanel';
import { StatusChip } from './StatusChip';
import { Timeline } from './Timeline';
import { TransitionPanel } from './TransitionPanel';
import { useCaseAction } from './useCaseAction';

// The journey is planned from travel_planning; the handover is arranged while the family travels.
const JOURNEY = ['travel_planning', 'in_transit', 'handover_scheduled', 'handed_over'];
const HANDOVER = ['in_transit', 'handover_scheduled', 'handed_over'];

function CasePage() {
  const record = useRecordContext<InquiryRecord>();
  const translate = useTranslate();
  const { permissions } = usePermissions<Role[]>();
  const action = useCaseAction();
  // react-admin may first hand over the queue's row for this id (it seeds the cache from lists);
  // the case page waits for the detail.
  if (!record?.inquiry) return <Loading />;
  const can = (what: string) => allowed(permissions, 'inquiries', what);
  const section = { mb: 2 };

  return (
    <Box sx={{ p: 2 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap', mb: 2 }}>
        <Typography variant="h5" component="h1">
          {record.inquiry.reference}
        </Typography>
        <StatusChip status={record.inquiry.status} />
        <Typography variant="body2" color="text.secondary">
          {translate(`app.channel.${record.inquiry.channel}`)} ·{' '}
          {translate(`app.priority.${record.inquiry.priority}`)} · {translate('app.case.version')}{' '}
          {record.inquiry.version}
        </Typography>
      </Box>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', lg: '3fr 2fr' }, gap: 2 }}>
        <Box>
          <Card sx={section}>
            <CardContent>
              <TransitionPanel record={record} action={action} />
            </CardContent>
          </Card>
          <Card sx={section}>
            <CardContent>
              <SearchPanel
                record={record}
                action={action}
                canLink={allowed(permissions, 'searches', 'link')}
                canMerge={allowed(permissions, 'inquiries', 'merge')}
              />
            </CardContent>
          </Card>
          <Card sx={section}>
            <CardContent>
              <DetailsPanel record={record} action={action} canEdit={can('edit')} />
              <ContactChangesPanel
                record={record}
                action={action}
                canDecide={allowed(permissions, 'contacts', 'approve')}
              />
            </CardContent>
          </Card>
          {allowed(permissions, 'identity', 'show') && (
            <Card sx={section}>
              <CardContent>
                <IdentityPanel
                  record={record}
                  action={action}
                  canWork={allowed(permissions, 'identity', 'work')}
                  canCountersign={allowed(permissions, 'identity', 'countersign')}
                />
              </CardContent>
            </Card>
          )}
          {allowed(permissions, 'travel', 'show') && JOURNEY.includes(record.inquiry.status) && (
            <Card sx={section}>
              <CardContent>
                <TravelPanel
                  record={record}
                  action={action}
                  canEdit={allowed(permissions, 'travel', 'edit')}
                />
              </CardContent>
            </Card>
          )}
          {allowed(permissions, 'travel', 'show') && HANDOVER.includes(record.inquiry.status) && (
            <Card sx={section}>
              <CardContent>
                <HandoverPanel
                  record={record}
                  action={action}
                  canEdit={allowed(permissions, 'travel', 'edit')}
                  canOverride={allowed(permissions, 'handover', 'override')}
                />
              </CardContent>
            </Card>
          )}
          <Card sx={section}>
            <CardContent>
              <ContactsPanel record={record} action={action} canContact={can('contact')} />
            </CardContent>
          </Card>
          <Card sx={section}>
            <CardContent>
              <EmailsPanel
                record={record}
                action={action}
                canList={allowed(permissions, 'mail', 'list')}
                canWrite={allowed(permissions, 'mail', 'write')}
                canManage={allowed(permissions, 'mail', 'manage')}
              />
              {allowed(permissions, 'mail', 'received') && (
                <ReceivedPanel
                  record={record}
                  canDownload={allowed(permissions, 'mail', 'download')}
                />
              )}
            </CardContent>
          </Card>
        </Box>
        <Box>
          <Card sx={section}>
            <CardContent>
              <AssignmentPanel
                record={record}
                action={action}
                canTake={can('take')}
                canAssign={can('assign')}
              />
            </CardContent>
          </Card>
          {allowed(permissions, 'status_link', 'issue') && (
            <Card sx={section}>
              <CardContent>
                <StatusLinkPanel
                  inquiryId={record.id}
                  canRevoke={allowed(permissions, 'status_link', 'revoke')}
                />
              </CardContent>
            </Card>
          )}
          {allowed(permissions, 'privacy', 'manage') && (
            <Card sx={section}>
              <CardContent>
                <PrivacyPanel record={record} action={action} />
              </CardContent>
            </Card>
          )}
          <Card sx={section}>
            <CardContent>
              <Timeline record={record} />
            </CardContent>
          </Card>
        </Box>
      </Box>
      <ConflictDialog
        conflict={action.conflict}
        onReload={() => void action.reload()}
        onClose={action.dismissConflict}
      />
    </Box>
  );
}

// The case page. Reading it is audited on the server (inquiry.read), so it is not refetched on
// every focus of the window.
export function InquiryShow() {
  return (
    <Show
      component="div"
      actions={false}
      title={<ShowTitle />}
      queryOptions={{ refetchOnWindowFocus: false }}
    >
      <CasePage />
    </Show>
  );
}

function ShowTitle() {
  const record = useRecordContext<InquiryRecord>();
  return <span>{record?.inquiry?.reference ?? ''}</span>;
}
