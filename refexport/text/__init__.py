"""Text toolkit shared by the formats: scripts and languages (`script`), CSL rich text
(`markup`), XML escaping (`xml`), the YAML and JSON emitters and the safe YAML loader
(`yaml`, `json`). No file I/O here (that is `refexport.fileio`)."""
