public enum ELFLoaderPlaceholder {}
