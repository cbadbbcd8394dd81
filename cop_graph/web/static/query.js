// The query editor: Ctrl+Enter (or Cmd+Enter) runs the query; an example link loads its
// SPARQL into the editor in place (without JS the link loads the page with it instead);
// after an error the cursor is put where the error is.
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && event.target.id === "query") {
    event.preventDefault();
    event.target.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const link = event.target.closest ? event.target.closest("a.example[data-sparql]") : null;
  const editor = document.getElementById("query");
  if (!link || !editor || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
    return;  // let modified clicks open the link in a new tab or window as usual
  }
  event.preventDefault();
  editor.value = link.dataset.sparql;
  editor.focus();
  editor.setSelectionRange(0, 0);
  editor.scrollTop = 0;
  editor.scrollIntoView({ block: "nearest" });
});

document.addEventListener("DOMContentLoaded", () => {
  const editor = document.getElementById("query");
  const offset = editor ? Number.parseInt(editor.dataset.errorOffset, 10) : Number.NaN;
  if (Number.isInteger(offset)) {
    editor.focus();
    editor.setSelectionRange(offset, offset + 1);
  }
});
