// Region form: with JavaScript (and htmx), the county list follows the chosen states by
// itself, so the no-JavaScript "List the counties" button is hidden.
document.documentElement.classList.add("js");
