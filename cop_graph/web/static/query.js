// Ctrl+Enter (or Cmd+Enter) in the query editor submits the form.
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && event.target.id === "query") {
    event.preventDefault();
    event.target.form.requestSubmit();
  }
});
