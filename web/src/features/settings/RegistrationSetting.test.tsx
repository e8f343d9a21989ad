import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "react-redux";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeStore } from "@/store";
import { stubServer } from "@/test/app";
import { RegistrationSetting } from "./RegistrationSetting";

let open = true;
let puts: unknown[] = [];

beforeEach(() => {
  open = true;
  puts = [];
  stubServer(async (input: RequestInfo | URL) => {
    const req = input instanceof Request ? input : new Request(String(input));
    if (new URL(req.url).pathname !== "/api/admin/settings") return new Response("{}", { status: 404 });
    if (req.method === "PUT") {
      const body = (await req.json()) as { registration_open: boolean };
      puts.push(body);
      open = body.registration_open;
    }
    return new Response(JSON.stringify({ registration_open: open }), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("RegistrationSetting", () => {
  it("closes and reopens registration with a labelled switch", async () => {
    render(
      <Provider store={makeStore()}>
        <RegistrationSetting />
      </Provider>,
    );
    const toggle = await screen.findByRole("switch", { name: "Anyone can create an account" });
    expect(toggle).toBeChecked();
    expect(toggle).toHaveAccessibleDescription(/Anyone who can reach this server can sign up/);

    await userEvent.setup().click(toggle);
    await waitFor(() => expect(toggle).not.toBeChecked());
    expect(puts).toEqual([{ registration_open: false }]);
    expect(toggle).toHaveAccessibleDescription(/Sign-up is closed/);

    await userEvent.setup().click(toggle);
    await waitFor(() => expect(toggle).toBeChecked());
    expect(puts).toEqual([{ registration_open: false }, { registration_open: true }]);
  });
});
