import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Link from '@mui/material/Link';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState, type FormEvent, type ReactNode } from 'react';
import { LocalesMenuButton, useLogin, useTranslate } from 'react-admin';
import { PendingStepError } from '../api/authProvider';
import { api, problemCode } from '../api/http';
import { currentSession, type SessionView } from '../api/session';

type Step =
  | { kind: 'credentials' }
  | { kind: 'totp'; recovery: boolean }
  | { kind: 'password_change' }
  | { kind: 'totp_enrolment'; secret?: string; otpauthUri?: string }
  | { kind: 'recovery_codes'; codes: string[] };

// Sign-in in as many steps as the account needs: email and password; the authenticator code
// when the account has one; a new password when an administrator set the current one; enrolment
// of a second factor when the role requires it. After the last step react-admin takes the user
// back to the page they were on when their session ended.
export function LoginPage() {
  const translate = useTranslate();
  const login = useLogin();
  const [step, setStep] = useState<Step>({ kind: 'credentials' });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      if (e instanceof PendingStepError) {
        setStep(
          e.step === 'password_change' ? { kind: 'password_change' } : { kind: 'totp_enrolment' },
        );
        if (e.step === 'totp_enrolment') await startEnrolment();
      } else if (problemCode(e) === 'totp_required') {
        setStep({ kind: 'totp', recovery: false });
      } else {
        setError(e instanceof Error ? e.message : String(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const startEnrolment = async () => {
    const started = await api<{ secret: string; otpauthUri: string }>('/auth/totp/enrol', {
      method: 'POST',
    });
    setStep({ kind: 'totp_enrolment', ...started });
  };

  const finish = (session: SessionView) => login({ session });

  const submitCredentials = (event: FormEvent) => {
    event.preventDefault();
    void run(() => login({ email, password }));
  };
  const submitCode = (event: FormEvent, recovery: boolean) => {
    event.preventDefault();
    void run(() =>
      login(
        recovery ? { email, password, recoveryCode: code } : { email, password, totpCode: code },
      ),
    );
  };
  const submitNewPassword = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const session = await api<SessionView>('/auth/password', {
        method: 'POST',
        body: { currentPassword: password, newPassword },
      });
      setPassword(newPassword);
      await finish(session);
    });
  };
  const submitEnrolment = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const { recoveryCodes } = await api<{ recoveryCodes: string[] }>('/auth/totp/confirm', {
        method: 'POST',
        body: { code },
      });
      setStep({ kind: 'recovery_codes', codes: recoveryCodes });
    });
  };
  const afterRecoveryCodes = () =>
    void run(async () => {
      const session = await api<SessionView>('/auth/me');
      await finish(session);
    });

  let body: ReactNode;
  switch (step.kind) {
    case 'credentials':
      body = (
        <form onSubmit={submitCredentials} aria-label={translate('app.auth.sign_in')}>
          <TextField
            label={translate('app.auth.email')}
            type="email"
            autoComplete="username"
            autoFocus
            required
            fullWidth
            margin="normal"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <TextField
            label={translate('app.auth.password')}
            type="password"
            autoComplete="current-password"
            required
            fullWidth
            margin="normal"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <Button type="submit" variant="contained" fullWidth disabled={busy} sx={{ mt: 2 }}>
            {translate('app.auth.sign_in')}
          </Button>
        </form>
      );
      break;
    case 'totp':
      body = (
        <form
          onSubmit={(e) => submitCode(e, step.recovery)}
          aria-label={translate('app.auth.totp_title')}
        >
          <Typography variant="h6" component="h2">
            {translate('app.auth.totp_title')}
          </Typography>
          <TextField
            label={translate(step.recovery ? 'app.auth.recovery_code' : 'app.auth.totp_code')}
            autoComplete="one-time-code"
            inputMode={step.recovery ? 'text' : 'numeric'}
            autoFocus
            required
            fullWidth
            margin="normal"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <Button type="submit" variant="contained" fullWidth disabled={busy} sx={{ mt: 2 }}>
            {translate('app.auth.verify')}
          </Button>
          <Box sx={{ mt: 2, display: 'flex', justifyContent: 'space-between' }}>
            <Link component="button" type="button" onClick={() => setStep({ kind: 'credentials' })}>
              {translate('app.auth.back')}
            </Link>
            {!step.recovery && (
              <Link
                component="button"
                type="button"
                onClick={() => setStep({ kind: 'totp', recovery: true })}
              >
                {translate('app.auth.use_recovery_code')}
              </Link>
            )}
          </Box>
        </form>
      );
      break;
    case 'password_change':
      body = (
        <form onSubmit={submitNewPassword} aria-label={translate('app.auth.change_password_title')}>
          <Typography variant="h6" component="h2">
            {translate('app.auth.change_password_title')}
          </Typography>
          <Typography variant="body2">{translate('app.auth.change_password_help')}</Typography>
          <TextField
            label={translate('app.auth.new_password')}
            type="password"
            autoComplete="new-password"
            autoFocus
            required
            fullWidth
            margin="normal"
            value={newPassword}
            onChange={(e) => setNewPassword(e.target.value)}
          />
          <Button type="submit" variant="contained" fullWidth disabled={busy} sx={{ mt: 2 }}>
            {translate('app.auth.change_password')}
          </Button>
        </form>
      );
      break;
    case 'totp_enrolment':
      body = (
        <form onSubmit={submitEnrolment} aria-label={translate('app.auth.enrol_title')}>
          <Typography variant="h6" component="h2">
            {translate('app.auth.enrol_title')}
          </Typography>
          <Typography variant="body2">{translate('app.auth.enrol_help')}</Typography>
          {step.secret && (
            <>
              <Typography variant="body2" sx={{ mt: 2 }}>
                {translate('app.auth.enrol_secret')}:{' '}
                <code data-testid="totp-secret">{step.secret}</code>
              </Typography>
              <Typography variant="body2" sx={{ mt: 1, wordBreak: 'break-all' }}>
                {translate('app.auth.enrol_uri')}:{' '}
                <Link href={step.otpauthUri}>{step.otpauthUri}</Link>
              </Typography>
            </>
          )}
          <TextField
            label={translate('app.auth.totp_code')}
            autoComplete="one-time-code"
            inputMode="numeric"
            required
            fullWidth
            margin="normal"
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
          <Button
            type="submit"
            variant="contained"
            fullWidth
            disabled={busy || !step.secret}
            sx={{ mt: 2 }}
          >
            {translate('app.auth.confirm')}
          </Button>
        </form>
      );
      break;
    case 'recovery_codes':
      body = (
        <Box>
          <Typography variant="h6" component="h2">
            {translate('app.auth.recovery_title')}
          </Typography>
          <Typography variant="body2">{translate('app.auth.recovery_help')}</Typography>
          <Box component="ul" data-testid="recovery-codes" sx={{ fontFamily: 'monospace' }}>
            {step.codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </Box>
          <Button variant="contained" fullWidth onClick={afterRecoveryCodes} disabled={busy}>
            {translate('app.auth.continue')}
          </Button>
        </Box>
      );
      break;
  }

  return (
    <Box
      component="main"
      sx={{
        minHeight: '100vh',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        bgcolor: '#eceff1',
      }}
    >
      <Card sx={{ width: 400, maxWidth: '95vw' }}>
        <CardContent>
          <Box sx={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
            <Typography variant="h5" component="h1">
              {translate('app.name')}
            </Typography>
            <LocalesMenuButton />
          </Box>
          {error && (
            <Alert severity="error" sx={{ mt: 2 }} role="alert">
              {error}
            </Alert>
          )}
          {body}
        </CardContent>
      </Card>
    </Box>
  );
}

// Exported for the app shell: who is signed in right now (for the app bar).
export const signedInName = () => currentSession()?.user.displayName;
