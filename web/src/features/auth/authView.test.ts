import { describe, expect, it } from "vitest";
import { authView } from "./authView";

describe("authView", () => {
  it("sends a fresh install's visitor to create the administrator", () => {
    expect(authView("login", { open: true, first_user: true })).toEqual({ redirect: "/register", firstUser: true, canRegister: true });
    expect(authView("register", { open: true, first_user: true })).toEqual({ redirect: null, firstUser: true, canRegister: true });
  });

  it("offers sign-in only when registration is closed", () => {
    expect(authView("register", { open: false, first_user: false })).toEqual({ redirect: "/login", firstUser: false, canRegister: false });
    expect(authView("login", { open: false, first_user: false })).toEqual({ redirect: null, firstUser: false, canRegister: false });
  });

  it("is the ordinary page otherwise, or when the server did not answer", () => {
    expect(authView("login", { open: true, first_user: false })).toEqual({ redirect: null, firstUser: false, canRegister: true });
    expect(authView("register", { open: true, first_user: false })).toEqual({ redirect: null, firstUser: false, canRegister: true });
    expect(authView("login", undefined)).toEqual({ redirect: null, firstUser: false, canRegister: true });
  });
});
