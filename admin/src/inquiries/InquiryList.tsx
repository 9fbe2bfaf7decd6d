import {
  BooleanInput,
  Datagrid,
  DateField,
  FunctionField,
  List,
  ReferenceField,
  SearchInput,
  SelectArrayInput,
  SelectInput,
  TextField,
  useTranslate,
} from 'react-admin';
import { CHANNELS, STATES, choices, type State } from './constants';
import { StatusChip } from './StatusChip';

interface QueueRow {
  id: string;
  status: State;
  channel: string;
  priority: string;
}

// The queue: every inquiry the user may see, newest first, filtered and searched on the server
// (paging and the total come from the API, so 10,000 cases cost one page).
export function InquiryList() {
  const translate = useTranslate();
  const filters = [
    <SearchInput
      key="q"
      source="q"
      alwaysOn
      placeholder={translate('app.queue.search')}
      aria-label={translate('app.queue.search')}
    />,
    <SelectArrayInput
      key="status"
      source="status"
      label="app.queue.status"
      choices={choices(STATES, 'app.status')}
      alwaysOn
      sx={{ minWidth: 220 }}
    />,
    <SelectInput
      key="assignee"
      source="assignee"
      label="app.queue.assignee"
      choices={[
        { id: 'me', name: 'app.queue.mine' },
        { id: 'none', name: 'app.queue.unassigned' },
      ]}
      alwaysOn
    />,
    <SelectInput
      key="channel"
      source="channel"
      label="app.queue.channel"
      choices={choices(CHANNELS, 'app.channel')}
    />,
    <BooleanInput
      key="overdueCallback"
      source="overdueCallback"
      label="app.queue.overdue_callback"
    />,
  ];
  return (
    <List
      filters={filters}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={25}
      exporter={false}
      title="app.menu.queue"
    >
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="reference" label="app.queue.reference" />
        <FunctionField
          source="status"
          label="app.queue.status"
          render={(r: QueueRow) => <StatusChip status={r.status} />}
        />
        <TextField source="inquirerName" label="app.queue.inquirer" sortable={false} />
        <TextField source="soughtPersonName" label="app.queue.sought_person" sortable={false} />
        <FunctionField
          source="channel"
          label="app.queue.channel"
          sortable={false}
          render={(r: QueueRow) => translate(`app.channel.${r.channel}`)}
        />
        <FunctionField
          source="priority"
          label="app.queue.priority"
          sortable={false}
          render={(r: QueueRow) => translate(`app.priority.${r.priority}`)}
        />
        <ReferenceField
          source="assignedTo"
          reference="staff"
          label="app.queue.assignee"
          link={false}
          sortable={false}
        >
          <TextField source="displayName" />
        </ReferenceField>
        <DateField source="createdAt" label="app.queue.created" showTime />
      </Datagrid>
    </List>
  );
}
