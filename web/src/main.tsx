import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "react-redux";
import { App } from "./App";
import { loadMarkdown } from "./features/chat/markdown/loader";
import "./index.css";
import "./lib/i18n";
import { store } from "./store";

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <Provider store={store}>
      <App />
    </Provider>
  </StrictMode>,
);

// The Markdown pipeline is not needed to paint the app, but nearly every conversation needs
// it soon: fetch it as soon as the first render is under way, not when the first answer shows.
setTimeout(() => void loadMarkdown().catch(() => undefined), 0);
