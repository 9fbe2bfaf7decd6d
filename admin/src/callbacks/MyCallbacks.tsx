import Chip from '@mui/material/Chip';
import {
  Datagrid,
  DateField,
  FunctionField,
  List,
  SelectInput,
  TextField,
  useTranslate,
} from 'react-admin';
import { Link } from 'react-router-dom';

interface DueCallback {
  id: string;
  inquiryId: string;
  reference: string;
  overdue: boolean;
  minutesOverdue: number;
}

// "You will receive a call" is a promise: the ones due soon and the ones already late, soonest
// due first (the API sorts; there is nothing else to sort by here).
export function MyCallbacks() {
  const translate = useTranslate();
  const hours = [4, 8, 24, 72, 168].map((h) => ({
    id: h,
    name: translate('app.callbacks.hours', { smart_count: h }),
  }));
  return (
    <List
      resource="callbacks"
      title="app.callbacks.title"
      filters={[
        <SelectInput
          key="withinHours"
          source="withinHours"
          label="app.callbacks.within"
          choices={hours}
          alwaysOn
        />,
      ]}
      filterDefaultValues={{ withinHours: 24 }}
      sort={{ field: 'dueAt', order: 'ASC' }}
      perPage={50}
      exporter={false}
      disableSyncWithLocation
    >
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <DateField source="dueAt" label="app.callbacks.due" showTime sortable={false} />
        <FunctionField
          label="app.queue.reference"
          render={(r: DueCallback) => (
            <Link to={`/inquiries/${r.inquiryId}/show`}>{r.reference}</Link>
          )}
        />
        <TextField source="inquirerName" label="app.queue.inquirer" sortable={false} />
        <TextField source="phone" label="app.case.phone" sortable={false} />
        <FunctionField
          label="app.queue.status"
          render={(r: DueCallback) =>
            r.overdue ? (
              <Chip
                size="small"
                sx={{ bgcolor: '#b71c1c', color: '#fff' }}
                label={translate('app.callbacks.overdue', { minutes: r.minutesOverdue })}
                data-testid="overdue"
              />
            ) : (
              <Chip size="small" label={translate('app.callbacks.on_time')} />
            )
          }
        />
        <TextField source="notes" label="app.intake.notes" sortable={false} />
      </Datagrid>
    </List>
  );
}
