import type { RegistrationStatus } from "@/api/types";

export type AuthMode = "login" | "register";

export interface AuthView {
  /** Where this address should send the visitor instead, if anywhere. */
  redirect: "/login" | "/register" | null;
  /** No account exists yet: the form creates the administrator. */
  firstUser: boolean;
  /** The sign-in page may offer "Create account". */
  canRegister: boolean;
}

/**
 * Which auth page to show for an address, given what the server said. A fresh install has no
 * one to sign in, so sign-in becomes "create the administrator"; a closed server has no
 * register page. Without an answer (the server is unreachable) the address decides, and the
 * form's own error says what went wrong.
 */
export function authView(mode: AuthMode, status: RegistrationStatus | undefined): AuthView {
  if (!status) return { redirect: null, firstUser: false, canRegister: true };
  if (mode === "login" && status.first_user) return { redirect: "/register", firstUser: true, canRegister: true };
  if (mode === "register" && !status.open) return { redirect: "/login", firstUser: false, canRegister: false };
  return { redirect: null, firstUser: status.first_user, canRegister: status.open };
}
