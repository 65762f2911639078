// Runs before first paint (next/script beforeInteractive) so the page never
// flashes the wrong theme. The stored choice wins; otherwise follow the OS.
(() => {
  var theme = null;
  try {
    theme = localStorage.getItem('trisight-theme');
  } catch {}
  if (theme !== 'dark' && theme !== 'light') {
    theme = window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  document.documentElement.classList.toggle('dark', theme === 'dark');
  document.documentElement.dataset.theme = theme;
})();
