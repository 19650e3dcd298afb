// Building DOM nodes: the views' one helper.

/** A {@code tag} element of {@code doc} with {@code props} (properties, or attributes when not one) and children. */
export function element(doc, tag, props = {}, ...children) {
  const el = doc.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') el.className = value;
    else if (key in el) el[key] = value;
    else el.setAttribute(key, value);
  }
  el.append(...children);
  return el;
}
