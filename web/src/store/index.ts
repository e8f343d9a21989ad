import { configureStore } from "@reduxjs/toolkit";
import { useDispatch, useSelector } from "react-redux";
import { api } from "@/api/base";
import { createStreamRegistry, type ThunkExtra } from "@/features/chat/streamRegistry";
import auth from "./authSlice";
import stream from "./streamSlice";
import ui from "./uiSlice";

/** A store with its own stream registry: nothing about a live stream is shared between stores. */
export function makeStore() {
  const extra: ThunkExtra = { streams: createStreamRegistry() };
  return configureStore({
    reducer: { auth, stream, ui, [api.reducerPath]: api.reducer },
    middleware: (getDefault) => getDefault({ thunk: { extraArgument: extra } }).concat(api.middleware),
  });
}

export const store = makeStore();
export type AppStore = ReturnType<typeof makeStore>;
export type RootState = ReturnType<AppStore["getState"]>;
export type AppDispatch = AppStore["dispatch"];

export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();
