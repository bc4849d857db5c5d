// The page's file input: a picked data file (docs/data.md) is read and parsed at once, so a bad one
// is refused before it touches the model choices, and a good one is ready to train.
import { dataFileTasks, type TaskSplit } from '@spikeflow/models';

/** A data file that parsed: its name and its train/test tasks. */
export interface PickedData {
  readonly name: string;
  readonly tasks: TaskSplit;
}

/** An error as one line; spikeflow's own errors name the file and field there, a stack is for the console. */
export function errorLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** Sets what the input shows as chosen: the last good file, or none. */
function showChosen(input: HTMLInputElement, file: File | undefined): void {
  const chosen = new DataTransfer();
  if (file !== undefined) chosen.items.add(file);
  input.files = chosen.files;
}

/**
 * Calls `onData` for each picked file that parses. One that does not parse changes nothing: the
 * input goes back to the last good file, and `onError` gets one line naming the file and field.
 */
export function watchDataFile(input: HTMLInputElement, onData: (picked: PickedData) => void, onError: (line: string) => void): void {
  let lastGood: File | undefined;
  /** Counts picks, so a slow read of an earlier file cannot land after a later one. */
  let picks = 0;
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    const pick = ++picks;
    if (file === undefined) return showChosen(input, lastGood); // a cancelled dialog keeps the last good file
    try {
      const tasks = dataFileTasks(new Uint8Array(await file.arrayBuffer()), file.name);
      if (pick !== picks) return;
      lastGood = file;
      onData({ name: file.name, tasks });
    } catch (error) {
      if (pick !== picks) return;
      console.error(error);
      showChosen(input, lastGood);
      const line = errorLine(error);
      onError(line.includes(file.name) ? line : `${file.name}: ${line}`);
    }
  });
}
