export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { initializeWeb } = await import("./server/startup");
  await initializeWeb();
}
