;; A component, given a world to embed.
(component)
