import AddIcCallIcon from '@mui/icons-material/AddIcCall';
import DrawIcon from '@mui/icons-material/Draw';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import InsightsIcon from '@mui/icons-material/Insights';
import ListAltIcon from '@mui/icons-material/ListAlt';
import PersonSearchIcon from '@mui/icons-material/PersonSearch';
import MarkEmailUnreadIcon from '@mui/icons-material/MarkEmailUnread';
import PhoneCallbackIcon from '@mui/icons-material/PhoneCallback';
import RateReviewIcon from '@mui/icons-material/RateReview';
import type { ReactNode } from 'react';
import { Layout as RaLayout, Menu as RaMenu, usePermissions } from 'react-admin';
import { allowed, type Role } from '../api/session';

// Only what the user's roles can use.
function Menu() {
  const { permissions } = usePermissions<Role[]>();
  return (
    <RaMenu>
      {allowed(permissions, 'inquiries', 'list') && (
        <RaMenu.Item to="/inquiries" primaryText="app.menu.queue" leftIcon={<ListAltIcon />} />
      )}
      {allowed(permissions, 'inquiries', 'create') && (
        <RaMenu.Item
          to="/inquiries/create"
          primaryText="app.menu.intake"
          leftIcon={<AddIcCallIcon />}
        />
      )}
      {allowed(permissions, 'callbacks', 'list') && (
        <RaMenu.Item
          to="/callbacks"
          primaryText="app.menu.callbacks"
          leftIcon={<PhoneCallbackIcon />}
        />
      )}
      {allowed(permissions, 'registry', 'search') && (
        <RaMenu.Item
          to="/registry"
          primaryText="app.menu.registry"
          leftIcon={<PersonSearchIcon />}
        />
      )}
      {allowed(permissions, 'identity', 'countersign') && (
        <RaMenu.Item to="/countersign" primaryText="app.menu.countersign" leftIcon={<DrawIcon />} />
      )}
      {allowed(permissions, 'reports', 'show') && (
        <RaMenu.Item to="/reports" primaryText="app.menu.reports" leftIcon={<InsightsIcon />} />
      )}
      {allowed(permissions, 'travel', 'manifest') && (
        <RaMenu.Item to="/manifest" primaryText="app.menu.manifest" leftIcon={<FactCheckIcon />} />
      )}
      {allowed(permissions, 'review', 'list') && (
        <RaMenu.Item to="/review" primaryText="app.menu.review" leftIcon={<RateReviewIcon />} />
      )}
      {allowed(permissions, 'quarantine', 'list') && (
        <RaMenu.Item
          to="/quarantine"
          primaryText="app.menu.quarantine"
          leftIcon={<MarkEmailUnreadIcon />}
        />
      )}
    </RaMenu>
  );
}

export const Layout = ({ children }: { children: ReactNode }) => (
  <RaLayout menu={Menu}>{children}</RaLayout>
);
