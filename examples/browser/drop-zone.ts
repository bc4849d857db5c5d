// Files dragged onto the page: the whole page takes the drop, and the drop zone shows that it will.

/** Calls `onFile` with the first file dropped anywhere on the page; `zone` is highlighted while a drag is over the page. */
export function watchDrops(zone: HTMLElement, onFile: (file: File) => void): void {
  const over = (on: boolean) => zone.classList.toggle('over', on);
  document.addEventListener('dragover', (event) => {
    event.preventDefault(); // without it the browser opens the file instead of dropping it here
    over(true);
  });
  document.addEventListener('dragleave', (event) => {
    if (event.relatedTarget === null) over(false);
  });
  document.addEventListener('drop', (event) => {
    event.preventDefault();
    over(false);
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) onFile(file);
  });
}

/** Hands `file` to a file input as if it had been picked there, so it takes the input's own path. */
export function pickInto(input: HTMLInputElement, file: File): void {
  const picked = new DataTransfer();
  picked.items.add(file);
  input.files = picked.files;
  input.dispatchEvent(new Event('change'));
}
