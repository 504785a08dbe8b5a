public enum MachinePlaceholder {}
