import './base.css';
import './finetunes.css';
import './evaluations.css';
import './setup.css';
import './connections.css';
import './genai.css';
