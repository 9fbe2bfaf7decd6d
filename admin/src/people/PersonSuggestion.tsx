import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import type { ReactNode } from 'react';
import { useTranslate } from 'react-admin';
import { Link as RouterLink } from 'react-router-dom';

export interface Suggestion {
  id: string;
  fullName: string;
  samePhone: boolean;
  sameEmail: boolean;
  sameName: boolean;
}

// Another record sharing a contact with this person: its page, and what they share.
export function PersonSuggestion({ s, children }: { s: Suggestion; children?: ReactNode }) {
  const translate = useTranslate();
  const t = (key: string) => translate(`app.people.${key}`);
  return (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
      <Link component={RouterLink} to={`/persons/${s.id}`}>
        {s.fullName}
      </Link>
      {s.samePhone && <Chip size="small" variant="outlined" label={t('same_phone')} />}
      {s.sameEmail && <Chip size="small" variant="outlined" label={t('same_email')} />}
      {s.sameName && <Chip size="small" color="warning" label={t('same_name')} />}
      {children}
    </Box>
  );
}
