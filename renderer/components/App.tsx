import { useAppState } from '../app/AppContext.js';
import { MainScreen } from './MainScreen.js';
import { SignInScreen } from './SignInScreen.js';

/** Top level: sign-in screen or the main screen, by auth status. */
export function App() {
  const authStatus = useAppState((s) => s.authStatus);
  if (authStatus === 'loading') {
    return (
      <div className="splash" role="status">
        Loading…
      </div>
    );
  }
  return authStatus === 'signedIn' ? <MainScreen /> : <SignInScreen />;
}
