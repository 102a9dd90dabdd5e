"""The tables of `refexport.text.latex`: LaTeX commands, accents, symbols and math."""

from __future__ import annotations

# Accent commands -> combining characters.
ACCENTS = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", "u": "\u0306",
    ".": "\u0307", '"': "\u0308", "r": "\u030a", "H": "\u030b", "v": "\u030c", "d": "\u0323",
    "c": "\u0327", "k": "\u0328", "b": "\u0331", "t": "\u0361",
}  # fmt: skip
# Commands without argument -> text.
SYMBOLS = {
    "ss": "ß", "SS": "SS", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ", "dj": "đ", "DJ": "Đ",
    "textendash": "–", "textemdash": "—", "textquoteleft": "‘", "textquoteright": "’",
    "textquotedblleft": "“", "textquotedblright": "”", "textquotesingle": "'",
    "textquotedbl": '"', "textbackslash": "\\", "textasciitilde": "~", "textasciicircum": "^",
    "textasciigrave": "`", "textbraceleft": "{", "textbraceright": "}", "textunderscore": "_",
    "textbar": "|", "textless": "<", "textgreater": ">", "textdollar": "$", "textregistered": "®",
    "texttrademark": "™", "textcopyright": "©", "copyright": "©", "textdegree": "°", "S": "§",
    "textsection": "§", "P": "¶", "textparagraph": "¶", "dag": "†", "textdagger": "†",
    "ddag": "‡", "textdaggerdbl": "‡", "pounds": "£", "textsterling": "£", "euro": "€",
    "texteuro": "€", "textyen": "¥", "textcent": "¢", "ldots": "…", "dots": "…",
    "textellipsis": "…", "textperiodcentered": "·", "textbullet": "•", "guillemotleft": "«",
    "guillemotright": "»", "guillemetleft": "«", "guillemetright": "»", "textexclamdown": "¡",
    "textquestiondown": "¿", "textmu": "µ", "LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2e",
    "BibTeX": "BibTeX", "textemdash ": "—",
}  # fmt: skip
# One-character commands: escaped specials and spacing.
CHAR_COMMANDS = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", "\n": " ",
    "\t": " ", ",": "\u2009", "-": "", "/": "", "@": "", "!": "", ";": " ", ":": " ",
}  # fmt: skip
# Commands with one argument -> a CSL tag (None: the argument as it is, case-protected).
MARKUP = {
    "emph": "i", "textit": "i", "mkbibemph": "i", "textsl": "i",
    "textbf": "b", "mkbibbold": "b",
    "textsc": "sc",
    "textsuperscript": "sup", "mkbibsuperscript": "sup",
    "textsubscript": "sub", "mkbibsubscript": "sub",
    "NoCaseChange": "nocase", "nocase": "nocase",
}  # fmt: skip
# Commands whose argument is kept but whose look is not (the value is reported lossy).
PLAIN_ARGUMENT = frozenset(
    "texttt textrm textsf textup textmd textnormal mbox hbox ensuremath text mathrm mkbibquote "
    "enquote foreignlanguage".split()
)
# `{\em …}`-style declarations: the rest of the group.
DECLARATIONS = {
    "em": "i", "it": "i", "itshape": "i", "sl": "i", "slshape": "i",
    "bf": "b", "bfseries": "b", "sc": "sc", "scshape": "sc",
    "rm": "", "tt": "", "sf": "", "normalfont": "", "upshape": "", "mdseries": "", "rmfamily": "",
    "ttfamily": "", "sffamily": "",
}  # fmt: skip
# Math: commands -> text.
MATH_SYMBOLS: dict[str, str | None] = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω", "times": "×", "cdot": "·", "pm": "±", "mp": "∓", "div": "÷",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝", "infty": "∞", "partial": "∂",
    "nabla": "∇", "to": "→", "rightarrow": "→", "leftarrow": "←", "leftrightarrow": "↔",
    "Rightarrow": "⇒", "in": "∈", "subset": "⊂", "cup": "∪", "cap": "∩", "circ": "∘",
    "ldots": "…", "cdots": "⋯", "prime": "′", "degree": "°", "%": "%", "&": "&", "$": "$",
    "#": "#", "_": "_", "{": "{", "}": "}", ",": "\u2009", ";": " ", " ": " ", "!": "",
    "log": "log", "ln": "ln", "exp": "exp", "sin": "sin", "cos": "cos", "tan": "tan",
    "max": "max", "min": "min", "lim": "lim", "det": "det", "dim": "dim", "ker": "ker",
    "mathrm": None, "text": None, "mathit": None, "textrm": None, "mbox": None,
}  # fmt: skip
