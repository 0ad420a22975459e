import { revalidatePath } from "next/cache";
import { getLiveHub } from "./live-hub";

/** After a form's change is written: open tabs get the fresh state now, every page re-renders on its next request. */
export function afterConfigChange(): void {
  getLiveHub().refreshState();
  revalidatePath("/", "layout");
}
