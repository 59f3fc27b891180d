() => {
  const problems = [];
  const h1 = [...document.querySelectorAll('h1')].map((h) => h.textContent.trim());
  if (h1.length !== 1) problems.push(`${h1.length} h1 elements: ${JSON.stringify(h1)}`);
  const nameOf = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const ids = el.getAttribute('aria-labelledby');
    if (ids) return ids.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ');
    const img = el.querySelector('img[alt]');
    return el.textContent + (img ? ' ' + img.alt : '');
  };
  const destinations = new Map();
  for (const link of document.querySelectorAll('a[href]')) {
    const name = nameOf(link).trim().replace(/\s+/g, ' ');
    if (!/[\p{L}\p{N}]/u.test(name)) problems.push(`a link named ${JSON.stringify(name)} (to ${link.getAttribute('href')})`);
    // The breadcrumb's current page links to itself under the page's name: it is marked as such.
    if (link.hasAttribute('aria-current')) continue;
    const href = link.href || link.getAttribute('href');
    if (!destinations.has(name)) destinations.set(name, new Set());
    destinations.get(name).add(href);
  }
  for (const [name, hrefs] of destinations) {
    if (hrefs.size > 1) problems.push(`${hrefs.size} links named ${JSON.stringify(name)} go to different places: ${[...hrefs].join(', ')}`);
  }
  return problems;
}
